package apply

import (
	"context"
	"fmt"

	"github.com/onboardhq/onboard/pkg/plan"
)

// followUp sends a follow-up step's first PUT (plan.Step.Of): the fields
// the API takes only once the object exists, to the object's id, which
// the object's own step gave. Like an update it is idempotent and
// journals no intent: the client retries an unknown outcome, and a failure
// leaves no record, so the next plan proposes the same PUT. The record's
// id is the object's.
func (r *runner) followUp(ctx context.Context, s *plan.Step, c *call) (int64, error) {
	i, ok := r.index[s.Of]
	if !ok || r.ids[i] == 0 {
		return 0, fmt.Errorf("id of %s is not known yet", s.Of)
	}
	id := r.ids[i]
	req, err := r.request(s)
	if err != nil {
		return 0, err
	}
	if !c.acquire() {
		return 0, errHalted
	}
	rec, err := r.client.Update(ctx, s.Kind, id, req.body)
	c.release(err != nil)
	if err != nil {
		return 0, describe(s, err)
	}
	return id, r.record(s, id, rec)
}
