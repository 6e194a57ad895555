package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onboardhq/onboard/pkg/state"
)

// Lock polling (variables so that tests can shorten them).
var (
	lockPoll  = 50 * time.Millisecond
	claimPoll = 5 * time.Millisecond
)

// key is the advisory lock key of a scope of this state.
func (s *Store) key(scope string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s.t.name))
	h.Write([]byte{0})
	h.Write([]byte(scope))
	return int64(h.Sum64())
}

// tryLock takes key on the lock session if it is free.
func (s *Store) tryLock(ctx context.Context, key int64) (bool, error) {
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	if s.lockConn == nil {
		return false, state.ErrClosed
	}
	var ok bool
	err := s.lockConn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok)
	return ok, s.t.wrap("lock", err)
}

func (s *Store) unlock(key int64) {
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	if s.lockConn != nil {
		_, _ = s.lockConn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
	}
}

// holder names the session holding key (nil if it cannot be told).
func (s *Store) holder(ctx context.Context, key int64) *state.LockInfo {
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT sess.holder FROM pg_locks l
		JOIN pg_stat_activity a ON a.pid = l.pid
		JOIN onboard_sessions sess ON sess.backend_pid = a.pid AND sess.backend_start = a.backend_start
		WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 1
		LIMIT 1`, uint32(uint64(key)>>32), uint32(uint64(key))).Scan(&raw)
	if err != nil {
		return nil
	}
	var info state.LockInfo
	if json.Unmarshal(raw, &info) != nil {
		return nil
	}
	return &info
}

// Lock takes the locks of scopes for the rest of the session, in a fixed
// order, polling each for up to timeout (0: fail at once) before failing
// with a *state.LockedError naming the holder. Then it reloads the state:
// what a previous holder wrote is seen before planning.
func (s *Store) Lock(ctx context.Context, scopes []string, timeout time.Duration) error {
	scopes = slices.Clone(scopes)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	start := time.Now()
	for _, scope := range scopes {
		if s.held[scope] {
			continue
		}
		key := s.key(scope)
		told := false
		for {
			ok, err := s.tryLock(ctx, key)
			if err != nil {
				return err
			}
			if ok {
				s.held[scope] = true
				break
			}
			waited := time.Since(start)
			if waited < timeout && !told && s.opts.OnWait != nil {
				told = true
				s.opts.OnWait(&state.LockedError{StatePath: s.t.redacted, Scope: scope, Reason: state.LockHeld, Holder: s.holder(ctx, key)})
			}
			if waited >= timeout {
				lerr := &state.LockedError{StatePath: s.t.redacted, Scope: scope, Reason: state.LockHeld, Holder: s.holder(ctx, key)}
				if timeout > 0 {
					lerr.Waited = waited
				}
				return lerr
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(min(lockPoll, timeout-waited)):
			}
		}
	}
	return s.refresh(ctx)
}

// Claim serialises the creation of the catalog object at addr with the
// other runners: it waits until no other runner is creating it, then
// returns what the state now holds for it (nil if nothing), and a release
// to call once the outcome of this runner's create is recorded. Objects of
// a customer need no claim: the customer's lock covers them.
func (s *Store) Claim(ctx context.Context, addr string) (*state.Object, func(), error) {
	if state.Owned(addr) && s.held[state.ScopeOf(addr)] {
		return nil, func() {}, nil
	}
	key := s.key("claim " + addr)
	for {
		ok, err := s.tryLock(ctx, key)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(claimPoll):
		}
	}
	release := func() { s.unlock(key) }
	o, err := scanObject(s.pool.QueryRow(ctx, `SELECT addr, kind, id, status, hash, spec, returned, file, ended, written_at
		FROM onboard_objects WHERE state = $1 AND addr = $2`, s.t.name, addr))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, release, nil
	}
	if err != nil {
		release()
		return nil, nil, s.t.wrap("claim "+addr, err)
	}
	s.mu.Lock()
	s.objects[addr] = clone(o)
	s.mu.Unlock()
	return o, release, nil
}
