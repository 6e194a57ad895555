package bluerocktel

import "sync/atomic"

// Stats are a Client's counters since it was created.
type Stats struct {
	// Requests counts attempts put on the wire (retries included).
	Requests int64
	// Responses by status class.
	Status2xx, Status3xx, Status4xx, Status5xx int64
	// TooManyRequests counts 429 answers (also counted in Status4xx).
	TooManyRequests int64
	// TransportErrors counts attempts that got no complete response.
	TransportErrors int64
	// Retries counts attempts after the first of a call.
	Retries int64
	// OutcomeUnknown counts creates that may or may not have been stored.
	OutcomeUnknown int64
	// Rate is the current pace in requests per second (0 = unlimited).
	Rate float64
}

type counters struct {
	requests, s2xx, s3xx, s4xx, s5xx, tooMany, transportErrors, retries, outcomeUnknown atomic.Int64
}

func (c *counters) status(code int) {
	switch {
	case code >= 500:
		c.s5xx.Add(1)
	case code >= 400:
		c.s4xx.Add(1)
		if code == 429 {
			c.tooMany.Add(1)
		}
	case code >= 300:
		c.s3xx.Add(1)
	case code >= 200:
		c.s2xx.Add(1)
	}
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() Stats {
	s := c.stats
	return Stats{
		Requests:        s.requests.Load(),
		Status2xx:       s.s2xx.Load(),
		Status3xx:       s.s3xx.Load(),
		Status4xx:       s.s4xx.Load(),
		Status5xx:       s.s5xx.Load(),
		TooManyRequests: s.tooMany.Load(),
		TransportErrors: s.transportErrors.Load(),
		Retries:         s.retries.Load(),
		OutcomeUnknown:  s.outcomeUnknown.Load(),
		Rate:            c.pacer.limit(),
	}
}
