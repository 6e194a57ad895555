package importer

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// viaImport: publish with Import (staging while checking, as the command
// does), else with Build, Compare and Publish.
var viaImport bool

func publish(t *testing.T, out string, tables []*Table, force bool) (*Outcome, error) {
	t.Helper()
	if viaImport {
		_, oc, err := Import(out, tables, Options{}, force)
		return oc, err
	}
	res, err := Build(tables, Options{})
	if err != nil {
		t.Fatal(err)
	}
	oc, err := Compare(out, res)
	if err != nil {
		t.Fatal(err)
	}
	return oc, Publish(out, res, oc, force)
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPublish(t *testing.T) {
	for _, via := range []bool{false, true} {
		viaImport = via
		name := "Publish"
		if via {
			name = "Import"
		}
		t.Run(name, testPublish)
	}
	viaImport = false
}

// Bad cells found while the files are staged: nothing is written, and
// the staged directory is gone.
func TestImportBadCellWhileStaging(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "customers")
	_, _, err := Import(out, append(base(), csvT("recurrings", "file,item,quantity", "main,trunk,abc")), Options{}, false)
	var ie *Error
	if !errors.As(err, &ie) || len(ie.Diagnostics) != 1 {
		t.Fatalf("Import: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func testPublish(t *testing.T) {
	out := filepath.Join(t.TempDir(), "customers")
	pack := func(customers ...string) []*Table {
		return []*Table{
			csvT("families", "key,name", "voip,VoIP Services"),
			csvT("items", "key,description,family", "trunk,SIP Trunk,voip"),
			csvT("customers", append([]string{"key,name"}, customers...)...),
			csvT("files", "key,customer,name", "main,acme,Main 2026"),
			csvT("recurrings", "file,item,quantity", "main,trunk,1"),
		}
	}
	oc, err := publish(t, out, pack("acme,Acme", "beta,Beta"), false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"manifest.schema.json", "catalog.yaml", "customers/acme.yaml", "customers/beta.yaml"}; !slices.Equal(oc.Added, want) {
		t.Errorf("added %q, want %q", oc.Added, want)
	}
	// What else the directory holds (the state beside the manifests) is
	// kept through every publish.
	if err := os.WriteFile(filepath.Join(out, "onboard.state"), []byte("state"), 0o644); err != nil {
		t.Fatal(err)
	}
	acme := read(t, filepath.Join(out, "customers", "acme.yaml"))

	// The same input: nothing changes, nothing is written.
	before, _ := os.Stat(out)
	oc, err = publish(t, out, pack("acme,Acme", "beta,Beta"), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(oc.Added)+len(oc.Changed)+len(oc.Edited) != 0 || len(oc.Unchanged) != 4 {
		t.Errorf("again: %+v", oc)
	}
	if after, _ := os.Stat(out); !os.SameFile(before, after) {
		t.Error("the same input replaced the directory")
	}

	// A changed row changes its file only; the state is still there.
	oc, err = publish(t, out, pack("acme,Acme", "beta,Beta SAS"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(oc.Changed, []string{"customers/beta.yaml"}) || len(oc.Added) != 0 {
		t.Errorf("changed row: %+v", oc)
	}
	if read(t, filepath.Join(out, "onboard.state")) != "state" || read(t, filepath.Join(out, "customers", "acme.yaml")) != acme {
		t.Error("a changed row touched other files")
	}

	// A row gone: its file is kept and reported.
	oc, err = publish(t, out, pack("acme,Acme"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(oc.Kept, []string{"customers/beta.yaml"}) {
		t.Errorf("kept %q", oc.Kept)
	}
	if _, err := os.Stat(filepath.Join(out, "customers", "beta.yaml")); err != nil {
		t.Errorf("the file of a row gone: %v", err)
	}
	// ...and still kept (and reported) the next time.
	oc, _ = publish(t, out, pack("acme,Acme"), false)
	if !slices.Equal(oc.Kept, []string{"customers/beta.yaml"}) {
		t.Errorf("kept again %q", oc.Kept)
	}

	// An object gone from a file that is written again is reported.
	tables := pack("acme,Acme")
	tables[4] = csvT("recurrings", "file,item,quantity")
	oc, err = publish(t, out, tables, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(oc.Gone, []string{"customer.acme.file.main.recurring.trunk"}) {
		t.Errorf("gone %q", oc.Gone)
	}

	// A file changed by hand is not overwritten unless forced.
	edited := filepath.Join(out, "customers", "acme.yaml")
	if err := os.WriteFile(edited, []byte("customers: {acme: {name: Acme by hand}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = publish(t, out, pack("acme,Acme"), false)
	var ee *EditedError
	if !errors.As(err, &ee) || !slices.Equal(ee.Files, []string{"customers/acme.yaml"}) {
		t.Fatalf("hand edit: %v", err)
	}
	if read(t, edited) != "customers: {acme: {name: Acme by hand}}\n" {
		t.Error("the hand edit was overwritten")
	}
	if _, err := publish(t, out, pack("acme,Acme"), true); err != nil {
		t.Fatal(err)
	}
	if read(t, edited) != acme {
		t.Error("--force did not overwrite the hand edit")
	}
	// A file the import did not write (no record of it) counts as edited.
	if err := os.Remove(filepath.Join(out, RecordFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(edited, []byte("customers: {acme: {name: Acme}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := publish(t, out, pack("acme,Acme"), false); !errors.As(err, &ee) {
		t.Errorf("a file not written by an import: %v", err)
	}
}
