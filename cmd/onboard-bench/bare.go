package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
)

// bareResult is what a minimal client achieves against a sandbox: the
// floor that the sandbox's own overhead (timer slack, HTTP on loopback,
// two processes sharing the cores) puts under any client, onboard
// included.
type bareResult struct {
	requests    int
	concurrency int
	wall        time.Duration
	meanRTT     time.Duration
}

// bareRun sends n family creates over concurrency keep-alive connections
// with net/http and nothing else: no journal, no plan, no pacing.
func bareRun(base, token string, n, concurrency int) bareResult {
	path := resource.Get(resource.Family).Path
	return bareSend(base, token, n, concurrency, http.StatusCreated, func(i int) (string, string, string) {
		return http.MethodPost, path, fmt.Sprintf(`{"name":"bare-%d"}`, i+1)
	})
}

// bareGets sends a GET of each of paths the same way.
func bareGets(base, token string, paths []string, concurrency int) bareResult {
	return bareSend(base, token, len(paths), concurrency, http.StatusOK, func(i int) (string, string, string) {
		return http.MethodGet, paths[i], ""
	})
}

// bareSend sends n requests, the i-th being req(i) (method, path under
// base, JSON body or ""), over concurrency keep-alive connections with
// net/http and nothing else; every answer must have status want.
func bareSend(base, token string, n, concurrency, want int, req func(i int) (method, path, body string)) bareResult {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	defer client.CloseIdleConnections()
	var next, failed atomic.Int64
	var total atomic.Int64 // round trips, ns
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				method, path, body := req(int(i))
				r, err := http.NewRequest(method, base+path, strings.NewReader(body))
				check(err)
				r.Header.Set("Authorization", "Bearer "+token)
				r.Header.Set("Accept", "application/json")
				if body != "" {
					r.Header.Set("Content-Type", "application/json")
				}
				t := time.Now()
				resp, err := client.Do(r)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				total.Add(int64(time.Since(t)))
				if resp.StatusCode != want {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	if f := failed.Load(); f > 0 {
		check(fmt.Errorf("bare client: %d of %d requests failed", f, n))
	}
	return bareResult{requests: n, concurrency: concurrency, wall: wall, meanRTT: time.Duration(total.Load() / int64(max(n, 1)))}
}
