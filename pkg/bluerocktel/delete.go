package bluerocktel

import (
	"context"
	"net/http"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Delete DELETEs object id. A DELETE is idempotent: on a lost answer the
// client retries it, and a 404 then (or a 404 at once) is an *APIError
// with Status 404 that the caller may take as done. Any other error
// leaves the outcome to settle with Get.
func (c *Client) Delete(ctx context.Context, kind resource.Kind, id int64) error {
	path, err := itemPath(kind, id)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodDelete, path, nil, nil)
	return err
}
