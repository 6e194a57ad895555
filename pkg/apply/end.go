package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// Ender is what apply needs of the API client to end objects: DELETE, and
// a GET to settle a DELETE whose answer was lost.
type Ender interface {
	Delete(ctx context.Context, kind resource.Kind, id int64) error
	Get(ctx context.Context, kind resource.Kind, id int64) (*bluerocktel.Record, error)
}

// end runs an end step (plan/lifecycle.go): deactivate and stop PUT one
// field and record the object as ended; a stop that sends nothing records
// it only; delete DELETEs it and forget sends nothing, and both remove it
// (and its follow-up record) from the state.
func (r *runner) end(ctx context.Context, s *plan.Step, c *call) (int64, error) {
	id := s.ID()
	switch s.Action {
	case plan.Deactivate, plan.Stop:
		if s.Method != "" {
			req, err := r.request(s)
			if err != nil {
				return 0, err
			}
			if !c.acquire() {
				return 0, errHalted
			}
			_, err = r.client.Update(ctx, s.Kind, id, req.body)
			c.release(err != nil)
			if err != nil {
				return 0, describe(s, err)
			}
		}
		o := state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: id, Status: state.StatusCreated,
			Hash: s.Hash, Spec: s.Spec, Ended: string(s.Action), Time: r.opts.Now()}
		if e := s.Existing; e != nil {
			o.Returned, o.File = maps.Clone(e.Returned), e.File
		}
		if err := r.journal.Put(o); err != nil {
			return 0, &UnrecordedError{Addr: s.Addr, ID: id, Err: err, Ended: string(s.Action)}
		}
		return id, nil
	case plan.Delete:
		if err := r.delete(ctx, s, c, id); err != nil {
			return 0, err
		}
	case plan.Forget:
	default:
		return 0, fmt.Errorf("%s is not an end action", s.Action)
	}
	return id, r.drop(s)
}

// delete DELETEs the object. A 404 is success (deleted already, or by
// this DELETE's retry after a lost answer); an answer lost for good is
// settled by a GET: 404 means deleted.
func (r *runner) delete(ctx context.Context, s *plan.Step, c *call, id int64) error {
	e, ok := r.client.(Ender)
	if !ok {
		return errors.New("this client cannot DELETE")
	}
	if !c.acquire() {
		return errHalted
	}
	err := e.Delete(ctx, s.Kind, id)
	var apiErr *bluerocktel.APIError
	// A definitive refusal: 422 while something still refers to it.
	refused := errors.As(err, &apiErr) && apiErr.Status != http.StatusNotFound &&
		apiErr.Status != http.StatusTooManyRequests && apiErr.Status < 500
	c.release(refused)
	if err == nil || isNotFound(err) {
		return nil
	}
	if refused {
		return &RejectedError{Msg: fmt.Sprintf("the API refused to delete it (%d): %s\n    %s: removed %s: then: delete",
			apiErr.Status, apiErr.Message, s.Pos, s.Addr), Err: err}
	}
	// The answer was lost (or the server failed): did it happen?
	if !c.acquire() {
		return errHalted
	}
	_, gerr := e.Get(ctx, s.Kind, id)
	c.release(gerr != nil && !isNotFound(gerr))
	switch {
	case isNotFound(gerr):
		return nil
	case gerr == nil:
		return fmt.Errorf("its DELETE failed (%w) and it still exists; apply again to retry", err)
	}
	return fmt.Errorf("its DELETE failed (%w) and whether it happened is unknown (the GET to check failed: %v); apply again to retry", err, gerr)
}

func isNotFound(err error) bool {
	var apiErr *bluerocktel.APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound
}

// drop removes a deleted or forgotten object from the state, with its
// follow-up record.
func (r *runner) drop(s *plan.Step) error {
	addrs := []string{s.Addr}
	if spec := resource.Get(s.Kind); spec.FollowUp != "" {
		addrs = append(addrs, plan.FollowUpAddr(s.Addr, spec))
	}
	for i, a := range addrs {
		if err := r.journal.Remove(a); err != nil && (i == 0 || !errors.Is(err, state.ErrNotFound)) {
			return fmt.Errorf("%s in BlueRockTEL, but the state could not drop it (%w): remove it by hand with onboard state rm %s", doneText(s.Action), err, a)
		}
	}
	return nil
}

func doneText(a plan.Action) string {
	if a == plan.Delete {
		return "deleted"
	}
	return "forgotten"
}
