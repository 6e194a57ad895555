package plan

import (
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
)

// TestCompileStepsParallel checks that compiling a large set on several
// goroutines gives, step for step and preview for preview, what compiling
// it on one gives.
func TestCompileStepsParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	dir := filepath.Join(t.TempDir(), "set")
	if err := generate.WriteWithContacts(dir, 1500, 5); err != nil {
		t.Fatal(err)
	}
	set, err := manifest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	objs := orderObjects(set.Objects)
	if len(objs) < 2*parallelMin {
		t.Fatalf("%d objects: too few to run in parallel", len(objs))
	}
	got := compileSteps(objs)
	for i, o := range objs {
		if want := compileStep(o); !reflect.DeepEqual(got[i], want) {
			t.Fatalf("step %d (%s):\n got %+v\nwant %+v", i, o.Addr, got[i], want)
		}
	}
	// The previews, 1,500 files on several goroutines, against one.
	p, err := Compile(set, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Previews) < 2*previewsMin {
		t.Fatalf("%d previews: too few to run in parallel", len(p.Previews))
	}
	runtime.GOMAXPROCS(1)
	one, err := Compile(set, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Previews, one.Previews) {
		t.Fatal("the previews computed in parallel differ from those computed on one goroutine")
	}
}
