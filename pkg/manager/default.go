package manager

import (
	"os"
	"sync"
)

var (
	defaultOnce sync.Once
	defaultMgr  *Manager
	defaultErr  error
)

// Default returns the process-wide manager, built once from REDIS_URL
// (redis://127.0.0.1:6379 when unset) with default options. Services that
// share one process share its pool; tests and multi-tenant code build
// explicit instances with New.
func Default() (*Manager, error) {
	defaultOnce.Do(func() {
		url := os.Getenv("REDIS_URL")
		if url == "" {
			url = "redis://127.0.0.1:6379"
		}
		defaultMgr, defaultErr = New(Options{URL: url})
	})
	return defaultMgr, defaultErr
}
