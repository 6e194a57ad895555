package pgstate

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultName is the state's name in the database when the URL's state
// parameter does not give one: one database may hold several states.
const DefaultName = "default"

// target is a parsed location.
type target struct {
	conn     string // for pgx: the URL without onboard's own parameter
	name     string // the state's name
	redacted string // for messages: the password replaced
	password string
}

// parse reads postgres://user:password@host:port/db?...&state=NAME.
func parse(loc string) (*target, error) {
	u, err := url.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("state URL: %v", redactText(err.Error(), passwordOf(loc)))
	}
	t := &target{name: DefaultName}
	if p, ok := u.User.Password(); ok {
		t.password = p
	}
	q := u.Query()
	if n := q.Get("state"); n != "" {
		t.name = n
	}
	t.redacted = u.Redacted()
	q.Del("state")
	u.RawQuery = q.Encode()
	t.conn = u.String()
	return t, nil
}

// passwordOf extracts a password from text that may not parse as a URL.
func passwordOf(loc string) string {
	rest, ok := strings.CutPrefix(loc, "postgres://")
	if !ok {
		rest, _ = strings.CutPrefix(loc, "postgresql://")
	}
	userinfo, _, ok := strings.Cut(rest, "@")
	if !ok {
		return ""
	}
	_, pw, _ := strings.Cut(userinfo, ":")
	return pw
}

func redactText(s, password string) string {
	if password == "" {
		return s
	}
	return strings.ReplaceAll(s, password, "xxxxx")
}

// dbError is a database failure, its text free of the password.
type dbError struct {
	msg string
	err error
}

func (e *dbError) Error() string { return e.msg }
func (e *dbError) Unwrap() error { return e.err }

func (t *target) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return &dbError{msg: redactText(fmt.Sprintf("state %s: %s: %v", t.redacted, what, err), t.password), err: err}
}

// Redact returns loc with the password of a PostgreSQL URL replaced, for
// messages; other locations as they are.
func Redact(loc string) string {
	if !IsURL(loc) {
		return loc
	}
	t, err := parse(loc)
	if err != nil {
		return redactText(loc, passwordOf(loc))
	}
	return t.redacted
}

// WithoutPassword returns loc with the password of a PostgreSQL URL left
// out (the driver then takes it from $PGPASSWORD or ~/.pgpass), for what
// is kept: a saved plan records where its state is, never a secret. Other
// locations come back as they are.
func WithoutPassword(loc string) string {
	if !IsURL(loc) {
		return loc
	}
	u, err := url.Parse(loc)
	if err != nil {
		return Redact(loc)
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}
