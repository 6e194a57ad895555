package pgstate

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations bring the schema from version i to i+1. onboard creates and
// migrates its tables itself; a migration runs once, under a transaction
// lock, whichever runner gets there first.
var migrations = []string{
	`CREATE TABLE onboard_states (
		name       text PRIMARY KEY,
		lineage    text NOT NULL,
		serial     bigint NOT NULL DEFAULT 0,
		api        text NOT NULL DEFAULT '',
		created_at timestamptz NOT NULL DEFAULT now()
	);
	CREATE TABLE onboard_objects (
		state      text NOT NULL REFERENCES onboard_states (name) ON DELETE CASCADE,
		addr       text NOT NULL,
		kind       text NOT NULL,
		id         bigint NOT NULL DEFAULT 0,
		status     text NOT NULL,
		hash       text NOT NULL DEFAULT '',
		spec       jsonb,
		returned   jsonb,
		written_at timestamptz NOT NULL,
		PRIMARY KEY (state, addr)
	);
	-- who holds locks: one row per lock session, so that a waiting runner
	-- names the holder (host, pid, command); rows of dead sessions are
	-- ignored and swept.
	CREATE TABLE onboard_sessions (
		backend_pid   integer NOT NULL,
		backend_start timestamptz NOT NULL,
		holder        jsonb NOT NULL,
		PRIMARY KEY (backend_pid, backend_start)
	);`,
	// The state's history: decisions recorded by the sessions that acted
	// on them (policy overrides), in the order recorded.
	`CREATE TABLE onboard_history (
		state       text NOT NULL REFERENCES onboard_states (name) ON DELETE CASCADE,
		seq         bigserial,
		kind        text NOT NULL,
		recorded_at timestamptz NOT NULL,
		by_whom     text NOT NULL DEFAULT '',
		command     text NOT NULL DEFAULT '',
		details     jsonb,
		PRIMARY KEY (state, seq)
	);`,
	// Version 3: each object's manifest file and its end (issue 19).
	`ALTER TABLE onboard_objects
		ADD COLUMN file  text NOT NULL DEFAULT '',
		ADD COLUMN ended text NOT NULL DEFAULT '';`,
}

// migrateLock serialises migrations between runners (an arbitrary constant
// key: "onboard" in ASCII).
const migrateLock int64 = 0x6f6e626f617264

// migrate creates or upgrades the schema.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS onboard_schema (version integer NOT NULL)`); err != nil {
			return err
		}
		var v int
		err := tx.QueryRow(ctx, `SELECT version FROM onboard_schema`).Scan(&v)
		switch {
		case err == pgx.ErrNoRows:
			if _, err := tx.Exec(ctx, `INSERT INTO onboard_schema (version) VALUES (0)`); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if v > len(migrations) {
			return fmt.Errorf("the database's onboard schema is version %d, newer than this onboard knows (%d): use a newer onboard", v, len(migrations))
		}
		for ; v < len(migrations); v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migrate the onboard schema to version %d: %w", v+1, err)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE onboard_schema SET version = $1`, v)
		return err
	})
}
