package apply

import (
	"fmt"
	"time"

	"github.com/onboardhq/onboard/pkg/plan"
)

// RecordImported writes the manifest's spec for objects imported by hand
// (plan.Step.Imported: the state knows their id, not what they were made
// from), so later plans can diff them. It sends nothing; apply calls it
// before Run, and whatever Run then does, the records stay.
func RecordImported(p *plan.Plan, j Journal) error {
	for _, s := range p.Steps {
		if !s.Imported {
			continue
		}
		o := *s.Existing
		o.Hash, o.Spec, o.File, o.Time = s.Hash, s.Spec, s.File, time.Now()
		if err := j.Put(o); err != nil {
			return fmt.Errorf("record imported %s: %w", s.Addr, err)
		}
	}
	return nil
}
