package verify

import (
	"context"
	"errors"

	"github.com/rescli/rescli/internal/redisinfo"
)

// errNoInfo is what the checks that judge INFO report when the connectivity
// check could not read it.
var errNoInfo = errors.New("INFO could not be read at connect (see connectivity)")

// info reads INFO (all sections) from the target.
func (e *env) info(ctx context.Context) (redisinfo.Fields, error) {
	raw, err := e.client.Info(ctx, "everything").Result()
	if err != nil {
		raw, err = e.client.Info(ctx).Result()
		if err != nil {
			return nil, err
		}
	}
	return redisinfo.Parse(raw), nil
}

// startInfo is the INFO read once by the connectivity check: memory,
// persistence and replication judge it rather than each asking again.
func (e *env) startInfo() (redisinfo.Fields, error) {
	if e.infoStart == nil {
		return nil, errNoInfo
	}
	return e.infoStart, nil
}

// configGet returns a config value, or "" when CONFIG is not allowed.
func (e *env) configGet(ctx context.Context, key string) string {
	m, err := e.client.ConfigGet(ctx, key).Result()
	if err != nil {
		return ""
	}
	return m[key]
}
