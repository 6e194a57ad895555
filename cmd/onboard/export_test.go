package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestExportRoundTrip is issue 14's acceptance: a tenant holding the GitOps
// example, a generated 200-customer set and objects created outside
// onboard (with fields it never sends) is exported whole by the real
// binary; the export validates, plans no change with its state, is
// adopted without a single create when the state is lost, and a second
// export is byte-identical. With --include-extra the same holds.
func TestExportRoundTrip(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Preload: "examples"})
	env := sb.env()
	root := repoRoot(t)
	work := t.TempDir()
	mustRun := func(want int, args ...string) cliRun {
		t.Helper()
		if args[0] == "apply" || args[0] == "export" {
			args = append(args, "--rate", "0") // unpaced: the sandbox is local
		}
		r := runOnboard(t, env, args...)
		if r.code != want {
			t.Fatalf("want exit %d:\n%s", want, r)
		}
		return r
	}
	mustRun(0, "apply", "--auto-approve", filepath.Join(root, "examples", "gitops"), "--state", filepath.Join(work, "gitops.state"))
	gen, _ := generateSet(t, 200, 14)
	// The generated catalog is the example's (same family and item): adopted.
	mustRun(0, "apply", "--auto-approve", "--adopt", gen, "--state", filepath.Join(work, "gen.state"))
	outside := createOutside(t, sb)

	total := sb.srv.Stats().Objects
	objects := 0
	for _, n := range total {
		objects += n
	}

	for _, extra := range []bool{false, true} {
		t.Run(fmt.Sprintf("include-extra=%v", extra), func(t *testing.T) {
			args := []string{"export", "--all-customers", "--catalog"}
			if extra {
				args = append(args, "--include-extra")
			}
			dir := filepath.Join(work, fmt.Sprintf("export-%v", extra))
			r := mustRun(0, append(args, "--out", dir)...)
			if want := fmt.Sprintf("Exported %d objects (", objects); !strings.Contains(r.stdout, want) {
				t.Errorf("want %q in:\n%s", want, r)
			}
			if strings.Contains(r.stderr, "warning:") {
				t.Errorf("warnings:\n%s", r.stderr)
			}
			checkRequestsPerObject(t, r, 0.3)

			v := mustRun(0, "validate", dir)
			if want := fmt.Sprintf("valid: %d objects", objects); !strings.Contains(v.stdout, want) {
				t.Errorf("want %q:\n%s", want, v)
			}
			// The state is where plan finds it: in the export's directory. It
			// also records each file's follow-up (its contacts and billing
			// dates, PUT after the file), under the file's id.
			st := mustReadState(t, filepath.Join(dir, "onboard.state"))
			links := 0
			for _, o := range st.Sorted() {
				if strings.HasSuffix(o.Addr, ".links") {
					links++
				}
			}
			p := mustRun(0, "plan", dir, "--detailed-exitcode")
			// (a file's links are a follow-up update of the file, not an
			// object)
			want := fmt.Sprintf("No changes: %d objects up to date.", objects)
			switch {
			case links == 1:
				want = fmt.Sprintf("No changes: %d objects and 1 follow-up update up to date.", objects)
			case links > 1:
				want = fmt.Sprintf("No changes: %d objects and %d follow-up updates up to date.", objects, links)
			}
			if !strings.Contains(p.stdout, want) {
				t.Errorf("want %q:\n%s", want, p)
			}
			if st.Len() != objects+links || st.Meta.API != sb.base {
				t.Errorf("state: %d objects bound to %q, want %d bound to %q", st.Len(), st.Meta.API, objects+links, sb.base)
			}

			// State lost: --adopt finds every object, creates none.
			before := sb.requests("POST")
			a := mustRun(0, "apply", "--adopt", "--auto-approve", dir, "--state", filepath.Join(work, fmt.Sprintf("adopt-%v.state", extra)))
			// A follow-up has nothing to adopt: its PUT is sent again, as is
			// (idempotent).
			if want := fmt.Sprintf("Apply complete: 0 created, %d updated, %d adopted, 0 failed", links, objects); !strings.Contains(a.stdout, want) {
				t.Errorf("want %q:\n%s", want, a)
			}
			if n := sb.requests("POST") - before; n != 0 {
				t.Errorf("apply --adopt sent %d POSTs", n)
			}

			again := filepath.Join(work, fmt.Sprintf("again-%v", extra))
			mustRun(0, append(args, "--out", again)...)
			if d := diffDirs(t, dir, again); d != "" {
				t.Errorf("a second export differs: %s", d)
			}

			// Objects made outside onboard are there, their unknown fields
			// under extra: only when asked.
			data, err := os.ReadFile(filepath.Join(dir, "customers", "outside-co.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"payment_mode: sepa", `notes: {"tags": ["a", "b"], "vip": true}`, "lineKey: k-1"} {
				if got := bytes.Contains(data, []byte(s)); got != extra {
					t.Errorf("%q in the outside customer's file: %v, want %v:\n%s", s, got, extra, data)
				}
			}
			// billing_next is a field of the table (sent by the file's
			// follow-up PUT), exported as such.
			for _, s := range []string{"quantity: 3.50", "selling_price_without_tax: 19.90", "item: fibre-500-mb-s", "billing_next: 2026-09-01"} {
				if !bytes.Contains(data, []byte(s)) {
					t.Errorf("want %q in the outside customer's file:\n%s", s, data)
				}
			}
			// Two customers named Acme Telecom SAS: the one without an
			// email keeps its generated account, which tells them apart.
			dup, err := os.ReadFile(filepath.Join(dir, "customers", "acme-telecom-sas-2.yaml"))
			if err != nil || !bytes.Contains(dup, []byte(fmt.Sprintf("customer_account: CL%06d", outside.acme2))) {
				t.Errorf("the second Acme keeps no account (%v):\n%s", err, dup)
			}
		})
	}
}

// TestExportRefusals: two identical lines (made outside onboard) cannot be
// told apart, so the export fails with the diagnostics at the paths the
// files would have had, and nothing is written. (A file without a name,
// which the sandbox refuses to store, is covered by pkg/export's golden.)
func TestExportRefusals(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Preload: "examples"})
	c := postObject(t, sb, "/v1/customers", `{"name":"Twin Lines SA"}`)
	q := "/v1/customer-files?fileable_type=customer&fileable_id=" + strconv.FormatInt(c, 10)
	f := postObject(t, sb, q, `{"name":"Main"}`)
	line := fmt.Sprintf(`{"customer_file_id":%d,"item_id":42,"quantity":1}`, f)
	postObject(t, sb, "/v1/customer-files/recurrings", line)

	dir := filepath.Join(t.TempDir(), "out")
	if r := runOnboard(t, sb.env(), "export", "--all-customers", "--out", dir, "--rate", "0"); r.code != 0 {
		t.Fatalf("one line:\n%s", r)
	}

	postObject(t, sb, "/v1/customer-files/recurrings", line) // its twin
	dir = filepath.Join(t.TempDir(), "out")
	r := runOnboard(t, sb.env(), "export", "--all-customers", "--out", dir, "--rate", "0")
	if r.code != 1 || !strings.Contains(r.stderr, "is identical to recurring line") || !strings.Contains(r.stderr, filepath.Join(dir, "customers", "twin-lines-sa.yaml")+":") {
		t.Errorf("want exit 1 and the diagnostic at the exported file's path:\n%s", r)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s was written (%v)", dir, err)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".*")); len(m) > 0 {
		t.Errorf("left behind: %v", m)
	}
}

// postObject creates an object through the sandbox's HTTP API, as another
// tool would, and returns its id.
func postObject(t *testing.T, sb *e2eSandbox, path, body string) int64 {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, sb.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+sb.srv.Token())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
	}
	var o struct{ ID int64 }
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// outsideIDs are objects createOutside made.
type outsideIDs struct{ customer, acme2 int64 }

// createOutside creates objects through the sandbox's HTTP API as another
// tool would, with fields onboard never sends.
func createOutside(t *testing.T, sb *e2eSandbox) outsideIDs {
	t.Helper()
	post := func(path, body string) int64 { return postObject(t, sb, path, body) }
	fam := post("/v1/families", `{"name":"Outside family","color":"blue"}`)
	post("/v1/items", fmt.Sprintf(`{"description":"Outside item","family_id":%d,"selling_price_without_tax":"10","unit":"month"}`, fam))
	c := post("/v1/customers", `{"name":"Outside Co","charge_vat":true,"payment_mode":"sepa","notes":{"vip":true,"tags":["a","b"]}}`)
	f := post("/v1/customer-files?fileable_type=customer&fileable_id="+strconv.FormatInt(c, 10), `{"name":"Outside file","services_start":"2026-04-01","billing_next":"2026-09-01"}`)
	post("/v1/customer-files/recurrings", fmt.Sprintf(`{"customer_file_id":%d,"item_id":42,"quantity":"3.50","selling_price_without_tax":"19.9","paused":false,"lineKey":"k-1"}`, f))
	acme2 := post("/v1/customers", `{"name":"Acme Telecom SAS","main_address_city":"Lyon"}`)
	return outsideIDs{customer: c, acme2: acme2}
}

var readLine = regexp.MustCompile(`Read (\d+) objects with (\d+) requests \(([0-9.]+) per object\)`)

// checkRequestsPerObject reads export's request count from its stderr.
func checkRequestsPerObject(t *testing.T, r cliRun, bound float64) {
	t.Helper()
	m := readLine.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no request count:\n%s", r)
	}
	per, _ := strconv.ParseFloat(m[3], 64)
	if per > bound {
		t.Errorf("%s requests for %s objects = %s per object, want <= %.2f", m[2], m[1], m[3], bound)
	}
}

// diffDirs compares two exports file by file, the state aside (its
// lineage and times are new each time): "" when identical.
func diffDirs(t *testing.T, a, b string) string {
	t.Helper()
	read := func(dir string) map[string][]byte {
		m := map[string][]byte{}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() == "onboard.state" {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			m[rel] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ma, mb := read(a), read(b)
	if len(ma) != len(mb) {
		return fmt.Sprintf("%d files against %d", len(ma), len(mb))
	}
	for p, da := range ma {
		if !bytes.Equal(da, mb[p]) {
			return p
		}
	}
	return ""
}

// TestExportProgressOnTerminal: on a terminal, export shows its reads on
// one line of stderr, erased at the end; elsewhere (a pipe, TERM=dumb) it
// prints no such line.
func TestExportProgressOnTerminal(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Preload: "examples"})
	env := sb.env()
	if r := runOnboard(t, env, "apply", "--auto-approve", "--rate", "0", filepath.Join(repoRoot(t), "examples", "gitops"), "--state", filepath.Join(t.TempDir(), "s")); r.code != 0 {
		t.Fatal(r)
	}
	term, stdout := ptyRun(t, env, 100, "export", "--all-customers", "--out", filepath.Join(t.TempDir(), "out"))
	if !regexp.MustCompile(`\r\x1b\[KReading BlueRockTEL: \d+ requests, \d+ objects`).MatchString(term) || !strings.Contains(term, "\r\x1b[KRead 23 objects") {
		t.Errorf("no progress line, erased before the summary, on the terminal:\n%q", term)
	}
	if !strings.HasPrefix(stdout, "Exported 23 objects") {
		t.Errorf("stdout: %q", stdout)
	}
	r := runOnboard(t, env, "export", "--all-customers", "--out", filepath.Join(t.TempDir(), "out"))
	if r.code != 0 || strings.Contains(r.stderr, "Reading BlueRockTEL") || strings.Contains(r.stderr, "\x1b") {
		t.Errorf("progress without a terminal:\n%s", r)
	}
	term, _ = ptyRun(t, append(env, "TERM=dumb"), 100, "export", "--all-customers", "--out", filepath.Join(t.TempDir(), "out"))
	if strings.Contains(term, "Reading BlueRockTEL") || strings.Contains(term, "\x1b") {
		t.Errorf("a live line on a dumb terminal:\n%q", term)
	}
}

// TestExportInterrupted: Ctrl-C while reading leaves nothing behind, not
// even the hidden staging directory.
func TestExportInterrupted(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Preload: "examples", Latency: 200 * time.Millisecond})
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	p := startOnboard(t, sb.env(), "export", "--all-customers", "--catalog", "--out", out, "--rate", "0")
	if !waitFor(30*time.Second, func() bool { return sb.requests("GET") > 0 }) {
		t.Fatal("export sent no request")
	}
	p.signal(syscall.SIGINT)
	r := p.wait()
	if r.code != 1 || !strings.Contains(r.stderr, "interrupted: nothing was written") {
		t.Errorf("want exit 1, nothing written:\n%s", r)
	}
	if entries, err := os.ReadDir(parent); err != nil || len(entries) != 0 {
		t.Errorf("left in %s: %v (%v)", parent, entries, err)
	}
}

// TestExportHazards round-trips the hazard set against the spatie filters:
// names with commas, apostrophes and accents, a family named "true",
// customers without an account (some without an email), prices written
// 19.9 or 150, quantities 2.50: the export quotes what YAML would read
// otherwise, plans no change, and is adopted without a create.
func TestExportHazards(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Filters: sandbox.FiltersSpatie})
	env := sb.env()
	work := t.TempDir()
	set := filepath.Join(work, "hazards")
	if err := generate.WriteHazards(set, 30, 7); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) cliRun {
		t.Helper()
		r := runOnboard(t, env, args...)
		if r.code != 0 {
			t.Fatal(r)
		}
		return r
	}
	run("apply", "--auto-approve", "--rate", "0", set, "--state", filepath.Join(work, "h.state"))
	objects := generate.HazardFamilies + generate.HazardItems + 5*30
	out := filepath.Join(work, "export")
	run("export", "--all-customers", "--catalog", "--rate", "0", "--out", out)
	if p := run("plan", out, "--detailed-exitcode"); !strings.Contains(p.stdout, fmt.Sprintf("No changes: %d objects up to date.", objects)) {
		t.Errorf("plan:\n%s", p)
	}
	a := run("apply", "--adopt", "--auto-approve", "--rate", "0", out, "--state", filepath.Join(work, "adopt.state"))
	if want := fmt.Sprintf("Apply complete: 0 created, 0 updated, %d adopted, 0 failed", objects); !strings.Contains(a.stdout, want) {
		t.Errorf("want %q:\n%s", want, a)
	}
	cat, err := os.ReadFile(filepath.Join(out, "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"  \"true\":\n    name: \"true\"\n", "name: VoIP, Data & Co\n", "internal_reference: LIC-01,A\n", "selling_price_without_tax: 150.00\n"} {
		if !bytes.Contains(cat, []byte(s)) {
			t.Errorf("want %q in the catalog:\n%s", s, cat)
		}
	}
}
