package refresh_test

import (
	"context"
	"testing"

	"github.com/onboardhq/onboard/pkg/refresh"
)

// BenchmarkRead refreshes 500 customers (2,502 objects) from an in-process
// sandbox without latency: the CPU a refresh costs, client and server.
func BenchmarkRead(b *testing.B) {
	w := newWorld(b, 500)
	b.ResetTimer()
	for range b.N {
		_, st, err := refresh.Read(context.Background(), w.c, w.known, refresh.Options{Parallelism: 16})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Requests()), "requests/op")
	}
}
