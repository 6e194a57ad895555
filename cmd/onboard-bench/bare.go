package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
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
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				body := fmt.Sprintf(`{"name":"bare-%d"}`, i)
				req, err := http.NewRequest(http.MethodPost, base+resource.Get(resource.Family).Path, bytes.NewReader([]byte(body)))
				check(err)
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
				t := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				total.Add(int64(time.Since(t)))
				if resp.StatusCode != http.StatusCreated {
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
	return bareResult{requests: n, concurrency: concurrency, wall: wall, meanRTT: time.Duration(total.Load() / int64(n))}
}
