package bluerocktel

import "time"

// window sums values (events, allowed sends) over the last second in 50 ms buckets: O(1) to add,
// O(buckets) to sum, no allocation, whatever the request rate.
type window struct {
	counts [windowBuckets]float64
	epochs [windowBuckets]int64 // bucket number each slot currently holds
}

const (
	windowBuckets = 20
	windowBucket  = 50 * time.Millisecond
	windowSpan    = windowBuckets * windowBucket
)

func bucketOf(t time.Time) int64 { return t.UnixNano() / int64(windowBucket) }

// add counts v at t.
func (w *window) add(t time.Time, v float64) {
	e := bucketOf(t)
	i := int(uint64(e) % windowBuckets)
	if w.epochs[i] != e {
		w.epochs[i], w.counts[i] = e, 0
	}
	w.counts[i] += v
}

// count returns the sum over the second ending at now.
func (w *window) count(now time.Time) float64 {
	e := bucketOf(now)
	var n float64
	for i := range w.counts {
		if d := e - w.epochs[i]; d >= 0 && d < windowBuckets {
			n += w.counts[i]
		}
	}
	return n
}
