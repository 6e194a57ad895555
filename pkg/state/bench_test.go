package state

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
)

// BenchmarkJournalAppend measures a durable Put (write + fsync) from many
// goroutines at once, as apply's workers do. Group commit shares each fsync
// among the records queued meanwhile: records/fsync reports how many.
func BenchmarkJournalAppend(b *testing.B) {
	for _, goroutines := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("goroutines=%d", goroutines), func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "s.state"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			procs := runtime.GOMAXPROCS(0)
			b.SetParallelism(max(1, goroutines/procs))
			if goroutines == 1 {
				runtime.GOMAXPROCS(1)
				defer runtime.GOMAXPROCS(procs)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.Put(sampleObject(int(next.Add(1)), StatusCreated)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(next.Load())/float64(max(1, s.fsyncs.Load())), "records/fsync")
			b.ReportMetric(float64(s.BytesWritten())/float64(max(1, next.Load())), "bytes/record")
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkBytesPerObject journals n objects as apply does (intent, then
// created) and reports the state bytes written per object: journal appends
// and the compacted file. Both must be the same at 1,000 and 10,000.
func BenchmarkBytesPerObject(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			var journal, compacted float64
			for b.Loop() {
				journal, compacted = writeObjects(b, b.TempDir(), n)
			}
			b.ReportMetric(journal/float64(n), "journal-bytes/object")
			b.ReportMetric(compacted/float64(n), "compacted-bytes/object")
		})
	}
}

// BenchmarkRead50k reads a compacted state of 50,000 objects (the objects of
// a 10,000-customer plan).
func BenchmarkRead50k(b *testing.B) {
	dir := b.TempDir()
	writeObjects(b, dir, 50000)
	path := filepath.Join(dir, "s.state")
	for b.Loop() {
		st, _, err := Read(path)
		if err != nil || st.Len() != 50000 {
			b.Fatalf("Read: %v, %d objects", err, st.Len())
		}
	}
}
