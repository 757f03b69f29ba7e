package verify

import (
	"context"
	"strings"
)

// info reads INFO (all sections) from the target as field → value.
func (e *env) info(ctx context.Context) (map[string]string, error) {
	raw, err := e.client.Info(ctx, "everything").Result()
	if err != nil {
		raw, err = e.client.Info(ctx).Result()
		if err != nil {
			return nil, err
		}
	}
	out := map[string]string{}
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out, nil
}

// configGet returns a config value, or "" when CONFIG is not allowed.
func (e *env) configGet(ctx context.Context, key string) string {
	m, err := e.client.ConfigGet(ctx, key).Result()
	if err != nil {
		return ""
	}
	return m[key]
}
