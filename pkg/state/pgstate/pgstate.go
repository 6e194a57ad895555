// Package pgstate keeps the state in PostgreSQL, shared by many runners on
// many machines (`--state postgres://...`).
//
// Unlike a state file, which is locked whole, it locks per scope: each
// customer (with everything in it), and each catalog object while it is
// being created. Runners applying different customers proceed in parallel;
// two touching the same customer serialise, and the one waiting names the
// holder. A catalog object that several runners need is created exactly
// once: the first claims it, the others wait for its id and adopt it.
//
// Locks are session-level advisory locks held on one dedicated connection,
// so they die with their holder's session: a runner killed with kill -9
// holds nothing. Every write is one committed statement, durable when it
// returns (an intent before the request it announces). The schema is
// created and migrated by onboard (schema.go). A connection string's
// password never appears in any message.
package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/onboardhq/onboard/pkg/state"
)

// IsURL reports whether a state location is a PostgreSQL URL.
func IsURL(loc string) bool {
	return strings.HasPrefix(loc, "postgres://") || strings.HasPrefix(loc, "postgresql://")
}

// Store is an open PostgreSQL state. Its methods are safe for concurrent
// use.
type Store struct {
	t    *target
	pool *pgxpool.Pool
	opts state.Options

	// lockConn is the session holding this runner's advisory locks.
	lockMu   sync.Mutex
	lockConn *pgx.Conn
	held     map[string]bool

	mu      sync.RWMutex
	meta    state.Meta
	objects map[string]*state.Object
	history []state.Event
	closed  bool

	written   atomic.Int64
	bumpOnce  sync.Once
	bumpErr   error
	closeOnce sync.Once
	closeErr  error
}

var (
	_ state.Backend  = (*Store)(nil)
	_ state.Restorer = (*Store)(nil)
)

// connect opens a pool on t.
func connect(ctx context.Context, t *target, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(t.conn)
	if err != nil {
		return nil, t.wrap("parse", err)
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.RuntimeParams["application_name"] = "onboard"
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, t.wrap("connect", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, t.wrap("connect", err)
	}
	return pool, nil
}

// Open connects to the state at loc, creating or migrating the schema and
// creating the state (with a new lineage) if it does not exist. It takes
// no lock: Lock takes those of the scopes a run touches.
func Open(ctx context.Context, loc string, opts state.Options) (*Store, error) {
	t, err := parse(loc)
	if err != nil {
		return nil, err
	}
	pool, err := connect(ctx, t, 24)
	if err != nil {
		return nil, err
	}
	s := &Store{t: t, pool: pool, opts: opts, held: map[string]bool{}}
	if err := s.open(ctx); err != nil {
		s.shut(false)
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	if err := migrate(ctx, s.pool); err != nil {
		return s.t.wrap("schema", err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO onboard_states (name, lineage) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		s.t.name, state.NewLineage()); err != nil {
		return s.t.wrap("create", err)
	}
	// The lock session, recorded with who holds it.
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "onboard locks"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return s.t.wrap("connect", err)
	}
	s.lockConn = conn
	me, err := state.NewLockInfo(s.opts.Command)
	if err != nil {
		return err
	}
	holder, _ := json.Marshal(me)
	if _, err := conn.Exec(ctx, `DELETE FROM onboard_sessions s WHERE NOT EXISTS
		(SELECT 1 FROM pg_stat_activity a WHERE a.pid = s.backend_pid AND a.backend_start = s.backend_start)`); err != nil {
		return s.t.wrap("sessions", err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO onboard_sessions (backend_pid, backend_start, holder)
		SELECT pid, backend_start, $1 FROM pg_stat_activity WHERE pid = pg_backend_pid() ON CONFLICT DO NOTHING`, holder); err != nil {
		return s.t.wrap("sessions", err)
	}
	return s.refresh(ctx)
}

// refresh reloads meta and objects from the database.
func (s *Store) refresh(ctx context.Context) error {
	st, err := load(ctx, s.pool, s.t)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.meta, s.objects, s.history = st.Meta, st.Objects, st.History
	s.mu.Unlock()
	return nil
}

// load reads a state: empty if the schema or the state does not exist.
func load(ctx context.Context, pool *pgxpool.Pool, t *target) (*state.State, error) {
	st := &state.State{Objects: map[string]*state.Object{}}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('onboard_objects') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, t.wrap("read", err)
	}
	if !exists {
		return st, nil
	}
	err := pool.QueryRow(ctx, `SELECT lineage, serial, api FROM onboard_states WHERE name = $1`, t.name).
		Scan(&st.Meta.Lineage, &st.Meta.Serial, &st.Meta.API)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return nil, t.wrap("read", err)
	}
	rows, err := pool.Query(ctx, `SELECT addr, kind, id, status, hash, spec, returned, file, ended, written_at
		FROM onboard_objects WHERE state = $1`, t.name)
	if err != nil {
		return nil, t.wrap("read", err)
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanObject(rows)
		if err != nil {
			return nil, t.wrap("read", err)
		}
		st.Objects[o.Addr] = o
	}
	if err := rows.Err(); err != nil {
		return nil, t.wrap("read", err)
	}
	st.History, err = loadHistory(ctx, pool, t)
	return st, err
}

// loadHistory reads the state's events, oldest first.
func loadHistory(ctx context.Context, pool *pgxpool.Pool, t *target) ([]state.Event, error) {
	var exists bool // a schema not yet migrated by this onboard has none
	if err := pool.QueryRow(ctx, `SELECT to_regclass('onboard_history') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return nil, t.wrap("read", err)
	}
	rows, err := pool.Query(ctx, `SELECT kind, recorded_at, by_whom, command, details
		FROM onboard_history WHERE state = $1 ORDER BY seq`, t.name)
	if err != nil {
		return nil, t.wrap("read", err)
	}
	defer rows.Close()
	var out []state.Event
	for rows.Next() {
		var (
			e       state.Event
			details []byte
		)
		if err := rows.Scan(&e.Kind, &e.Time, &e.By, &e.Command, &details); err != nil {
			return nil, t.wrap("read", err)
		}
		e.Time = e.Time.UTC()
		if len(details) > 0 {
			if err := json.Unmarshal(details, &e.Details); err != nil {
				return nil, t.wrap("read", fmt.Errorf("history: %w", err))
			}
		}
		out = append(out, e)
	}
	return out, t.wrap("read", rows.Err())
}

// Record appends e to the state's history, in one committed statement.
func (s *Store) Record(e state.Event) error {
	if e.Kind == "" {
		return errors.New("state history event needs a kind")
	}
	if s.isClosed() {
		return state.ErrClosed
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC().Truncate(time.Millisecond)
	}
	details, err := jsonOrNil(e.Details)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `INSERT INTO onboard_history (state, kind, recorded_at, by_whom, command, details)
		VALUES ($1, $2, $3, $4, $5, $6)`, s.t.name, e.Kind, e.Time, e.By, e.Command, details); err != nil {
		return s.t.wrap("record", err)
	}
	s.written.Add(int64(len(e.Kind) + len(e.By) + len(e.Command) + len(details) + 48))
	e.Details = maps.Clone(e.Details)
	s.mu.Lock()
	s.history = append(s.history, e)
	s.mu.Unlock()
	return s.bumpSerial(ctx)
}

func scanObject(row pgx.Row) (*state.Object, error) {
	var (
		o              state.Object
		status         string
		spec, returned []byte
	)
	if err := row.Scan(&o.Addr, &o.Kind, &o.ID, &status, &o.Hash, &spec, &returned, &o.File, &o.Ended, &o.Time); err != nil {
		return nil, err
	}
	o.Status = state.Status(status)
	o.Time = o.Time.UTC()
	if len(spec) > 0 {
		if err := json.Unmarshal(spec, &o.Spec); err != nil {
			return nil, fmt.Errorf("%s: spec: %w", o.Addr, err)
		}
	}
	if len(returned) > 0 {
		if err := json.Unmarshal(returned, &o.Returned); err != nil {
			return nil, fmt.Errorf("%s: returned: %w", o.Addr, err)
		}
	}
	return &o, nil
}

// Read reads the state at loc without locking (plan, state list/show).
func Read(ctx context.Context, loc string) (*state.State, error) {
	t, err := parse(loc)
	if err != nil {
		return nil, err
	}
	pool, err := connect(ctx, t, 2)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	return load(ctx, pool, t)
}

// Location is the URL with its password replaced.
func (s *Store) Location() string { return s.t.redacted }

// State returns a copy of the objects as last loaded (at Open, and after
// Lock) and written by this runner since.
func (s *Store) State() *state.State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := &state.State{Objects: make(map[string]*state.Object, len(s.objects)), Meta: s.meta}
	for a, o := range s.objects {
		st.Objects[a] = clone(o)
	}
	for _, e := range s.history {
		e.Details = maps.Clone(e.Details)
		st.History = append(st.History, e)
	}
	return st
}

// Get returns a copy of the object at addr.
func (s *Store) Get(addr string) (state.Object, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.objects[addr]
	if !ok {
		return state.Object{}, false
	}
	return *clone(o), true
}

// Meta returns the lineage, serial and API binding.
func (s *Store) Meta() state.Meta {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.meta
}

// Warnings has nothing to say: a database leaves no torn lines.
func (s *Store) Warnings() []string { return nil }

// BytesWritten counts the payload of this session's writes.
func (s *Store) BytesWritten() int64 { return s.written.Load() }

func clone(o *state.Object) *state.Object {
	c := *o
	if o.Spec != nil {
		c.Spec = make(map[string]string, len(o.Spec))
		for k, v := range o.Spec {
			c.Spec[k] = v
		}
	}
	if o.Returned != nil {
		c.Returned = make(map[string]string, len(o.Returned))
		for k, v := range o.Returned {
			c.Returned[k] = v
		}
	}
	return &c
}

// Intent records that o is about to be created (status pending), durably.
func (s *Store) Intent(o state.Object) error {
	if o.Status == "" {
		o.Status = state.StatusPending
	}
	if o.Status != state.StatusPending {
		return fmt.Errorf("state intent for %s: status %q, want %q", o.Addr, o.Status, state.StatusPending)
	}
	return s.put(&o)
}

// Put records that o exists, with its id, durably.
func (s *Store) Put(o state.Object) error {
	if o.Status == "" {
		o.Status = state.StatusCreated
	}
	if o.Status != state.StatusCreated {
		return fmt.Errorf("state put of %s: status %q, want %q (journal a pending create with Intent)", o.Addr, o.Status, state.StatusCreated)
	}
	if o.ID <= 0 {
		return fmt.Errorf("state put of %s: no id", o.Addr)
	}
	return s.put(&o)
}

func (s *Store) put(o *state.Object) error {
	if o.Addr == "" || o.Kind == "" {
		return fmt.Errorf("state record needs an address and a kind (addr %q, kind %q)", o.Addr, o.Kind)
	}
	if s.isClosed() {
		return state.ErrClosed
	}
	o = clone(o)
	if o.Time.IsZero() {
		o.Time = time.Now().UTC().Truncate(time.Millisecond)
	}
	spec, err := jsonOrNil(o.Spec)
	if err != nil {
		return err
	}
	returned, err := jsonOrNil(o.Returned)
	if err != nil {
		return err
	}
	ctx := context.Background()
	_, err = s.pool.Exec(ctx, `INSERT INTO onboard_objects (state, addr, kind, id, status, hash, spec, returned, file, ended, written_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (state, addr) DO UPDATE SET kind = excluded.kind, id = excluded.id, status = excluded.status,
			hash = excluded.hash, spec = excluded.spec, returned = excluded.returned, file = excluded.file,
			ended = excluded.ended, written_at = excluded.written_at`,
		s.t.name, o.Addr, o.Kind, o.ID, string(o.Status), o.Hash, spec, returned, o.File, o.Ended, o.Time)
	if err != nil {
		return s.t.wrap("write "+o.Addr, err)
	}
	s.written.Add(int64(len(o.Addr) + len(o.Hash) + len(spec) + len(returned) + 48))
	s.mu.Lock()
	s.objects[o.Addr] = o
	s.mu.Unlock()
	return s.bumpSerial(ctx)
}

func jsonOrNil(m map[string]string) ([]byte, error) {
	if m == nil {
		return nil, nil
	}
	return json.Marshal(m)
}

// Remove forgets addr (ErrNotFound if the state does not know it).
func (s *Store) Remove(addr string) error {
	if s.isClosed() {
		return state.ErrClosed
	}
	ctx := context.Background()
	tag, err := s.pool.Exec(ctx, `DELETE FROM onboard_objects WHERE state = $1 AND addr = $2`, s.t.name, addr)
	if err != nil {
		return s.t.wrap("remove "+addr, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("state rm %s: %w", addr, state.ErrNotFound)
	}
	s.written.Add(int64(len(addr) + 16))
	s.mu.Lock()
	delete(s.objects, addr)
	s.mu.Unlock()
	return s.bumpSerial(ctx)
}

// bumpSerial counts this session once, at its first write.
func (s *Store) bumpSerial(ctx context.Context) error {
	s.bumpOnce.Do(func() {
		var serial int64
		err := s.pool.QueryRow(ctx, `UPDATE onboard_states SET serial = serial + 1 WHERE name = $1 RETURNING serial`, s.t.name).Scan(&serial)
		if err != nil {
			s.bumpErr = s.t.wrap("serial", err)
			return
		}
		s.mu.Lock()
		s.meta.Serial = serial
		s.mu.Unlock()
	})
	return s.bumpErr
}

// BindAPI binds the state to api (see state.CheckAPI). Two runners binding
// at once agree: the update only binds an unbound state (or re-targets).
func (s *Store) BindAPI(api string, retarget bool) error {
	_, changed, err := state.CheckAPI(s.Meta(), s.t.redacted, api, retarget)
	if err != nil || !changed {
		return err
	}
	ctx := context.Background()
	tag, err := s.pool.Exec(ctx, `UPDATE onboard_states SET api = $2 WHERE name = $1 AND (api = '' OR api = $2 OR $3)`,
		s.t.name, api, retarget)
	if err != nil {
		return s.t.wrap("bind", err)
	}
	if tag.RowsAffected() == 0 { // another runner bound it meanwhile
		if err := s.refresh(ctx); err != nil {
			return err
		}
		_, _, err := state.CheckAPI(s.Meta(), s.t.redacted, api, retarget)
		return err
	}
	s.mu.Lock()
	s.meta.API = api
	s.mu.Unlock()
	return nil
}

// Restore fills an empty state with a copy of another (state migrate):
// its lineage, serial, API binding and objects, in one transaction.
func (s *Store) Restore(m state.Meta, objs []*state.Object, history []state.Event) error {
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM onboard_objects WHERE state = $1`, s.t.name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("it already holds %d objects; migrate only into an empty state (another ?state=NAME)", n)
		}
		if _, err := tx.Exec(ctx, `UPDATE onboard_states SET lineage = $2, serial = $3, api = $4 WHERE name = $1`,
			s.t.name, m.Lineage, m.Serial, m.API); err != nil {
			return err
		}
		rows := make([][]any, 0, len(objs))
		for _, o := range objs {
			spec, _ := jsonOrNil(o.Spec)
			returned, _ := jsonOrNil(o.Returned)
			rows = append(rows, []any{s.t.name, o.Addr, o.Kind, o.ID, string(o.Status), o.Hash, spec, returned, o.File, o.Ended, o.Time})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"onboard_objects"},
			[]string{"state", "addr", "kind", "id", "status", "hash", "spec", "returned", "file", "ended", "written_at"}, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		for _, e := range history {
			details, _ := jsonOrNil(e.Details)
			if _, err := tx.Exec(ctx, `INSERT INTO onboard_history (state, kind, recorded_at, by_whom, command, details)
				VALUES ($1, $2, $3, $4, $5, $6)`, s.t.name, e.Kind, e.Time, e.By, e.Command, details); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		var de *dbError
		if errors.As(err, &de) {
			return err
		}
		return s.t.wrap("migrate into", err)
	}
	s.bumpOnce.Do(func() {}) // the copied serial stands for this session
	return s.refresh(ctx)
}

func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// Close releases every lock (by ending the lock session) and disconnects.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.shut(true) })
	return s.closeErr
}

// shut disconnects; tidy removes the session's holder record first (a
// crash leaves it, for the next Open to sweep).
func (s *Store) shut(tidy bool) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.lockMu.Lock()
	var err error
	if s.lockConn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if tidy {
			// Released here, not by the end of the session: the server
			// ends a closed session's backend a moment later, and a
			// command run right after this one would find its locks.
			_, err = s.lockConn.Exec(ctx, `SELECT pg_advisory_unlock_all()`)
			if err == nil {
				_, err = s.lockConn.Exec(ctx, `DELETE FROM onboard_sessions WHERE backend_pid = pg_backend_pid()`)
			}
			err = s.t.wrap("close", err)
		}
		if cerr := s.lockConn.Close(ctx); cerr != nil && err == nil {
			err = s.t.wrap("close", cerr)
		}
		cancel()
		s.lockConn = nil
	}
	s.lockMu.Unlock()
	s.pool.Close()
	return err
}
