package bluerocktel

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Sentinels matched by errors.Is against an *APIError of the given status
// class, and against an *OutcomeUnknownError for ErrOutcomeUnknown.
var (
	// ErrUnauthorized: 401, the API token was rejected.
	ErrUnauthorized = errors.New("the API token was rejected (401 Unauthenticated)")
	// ErrNotFound: 404.
	ErrNotFound = errors.New("not found (404)")
	// ErrValidation: 422, the server refused the fields sent.
	ErrValidation = errors.New("validation failed (422)")
	// ErrRateLimited: 429, still rejected after the retries allowed.
	ErrRateLimited = errors.New("rate limited (429)")
	// ErrServer: any 5xx.
	ErrServer = errors.New("server error (5xx)")
	// ErrOutcomeUnknown: a create may or may not have been stored.
	ErrOutcomeUnknown = errors.New("outcome unknown")
)

// APIError is a definitive non-2xx answer of the API.
type APIError struct {
	Method string
	// Path is the request path below the base URL, without the query.
	Path   string
	Status int
	// Message is the server's "message" (or a short excerpt of a body
	// that is not JSON), with the token redacted.
	Message string
	// Fields holds the Laravel 422 "errors": wire field -> messages.
	Fields map[string][]string
	// RetryAfter is the server's Retry-After, uncapped (0 if absent).
	RetryAfter time.Duration
}

// Error renders the status with the server's message; for 401 it says what
// to check, never which token was used.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.detail())
}

// detail is the error without its method and path.
func (e *APIError) detail() string {
	var b strings.Builder
	switch {
	case e.Status == http.StatusUnauthorized:
		return ErrUnauthorized.Error()
	case e.Status == http.StatusTooManyRequests:
		b.WriteString("429 too many requests")
		if e.RetryAfter > 0 {
			fmt.Fprintf(&b, " (Retry-After %s)", e.RetryAfter)
		}
	case e.Status >= 500:
		fmt.Fprintf(&b, "server error %d %s", e.Status, http.StatusText(e.Status))
	default:
		fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 {
		b.WriteString(" (")
		for i, f := range e.FieldNames() {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s: %s", f, strings.Join(e.Fields[f], " "))
		}
		b.WriteString(")")
	}
	return b.String()
}

// FieldNames returns the fields with errors, sorted, for stable output.
func (e *APIError) FieldNames() []string {
	names := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	return names
}

// Is matches the sentinel of the error's status class.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrValidation:
		return e.Status == http.StatusUnprocessableEntity
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrServer:
		return e.Status >= 500 && e.Status <= 599
	}
	return false
}

// OutcomeUnknownError reports a create (POST) that may or may not have been
// stored: the request was sent, or may have been, and no definitive answer
// came back (connection reset or closed, timeout waiting for the response,
// a 5xx, the context ending after sending, a 2xx whose body could not be
// read). It is never retried as is: the caller looks the object up by its
// natural key before deciding to create it again.
type OutcomeUnknownError struct {
	Method string
	Path   string
	Err    error
}

// Error says what is unknown and why.
func (e *OutcomeUnknownError) Error() string {
	cause := fmt.Sprint(e.Err)
	if ae, ok := e.Err.(*APIError); ok {
		cause = ae.detail() // without repeating method and path
	}
	return fmt.Sprintf("%s %s: outcome unknown, the object may or may not have been created: %s",
		e.Method, e.Path, cause)
}

// Unwrap returns the cause.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }
