package verify

import (
	"context"
	"fmt"
	"strconv"
)

func checkHeadroom(ctx context.Context, e *env, _ string) Result {
	info, err := e.info(ctx)
	if err != nil {
		return errored(err)
	}
	clients, limit := info.Int("connected_clients"), info.Int("maxclients")
	if limit == 0 {
		limit, _ = strconv.ParseInt(e.configGet(ctx, "maxclients"), 10, 64)
	}
	grew := info.Int("rejected_connections") - e.infoStart.Int("rejected_connections")
	v := fmt.Sprintf("%d of %d clients", clients, limit)
	if limit > 0 {
		v += fmt.Sprintf(" (%.0f%%)", float64(clients)/float64(limit)*100)
	}
	v += fmt.Sprintf(", rejected_connections +%d during verify (total %s)", grew, info["rejected_connections"])
	switch {
	case grew > 0:
		return fail(v, "Redis refused connections while verify ran: it is at maxclients now; find the pools that hold connections (CLIENT LIST) and share them")
	case limit > 0 && clients*100 >= limit*95:
		return fail(v, "at 95% of maxclients: the next deploy's new pools will be refused; raise maxclients or shrink pools")
	case limit > 0 && clients*100 >= limit*80:
		return warn(v, "above 80% of maxclients: little headroom for a deploy that doubles pools during a rollout")
	}
	return pass(v)
}
