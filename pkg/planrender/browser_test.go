//go:build browser

// The browser test needs Debian's chromium: `make browser` installs it
// when missing and runs this file (`go test -tags browser`); `make test`
// includes it.

package planrender

import (
	"bytes"
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// TestMarkdownInBrowser converts the Markdown plan of the money set to
// HTML as a GFM renderer does (tables, autolinks; raw HTML kept, as GitHub
// keeps <details>), loads it in headless Chromium and reads back the DOM:
// the text a reviewer sees has the names as written (<b> as text, never a
// bold element), no email address is a link, the money table is there
// with its totals, and the requests are folded in <details>.
func TestMarkdownInBrowser(t *testing.T) {
	var md bytes.Buffer
	if err := Markdown(&md, compilePath(t, moneyYAML, nil)); err != nil {
		t.Fatal(err)
	}
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	var body bytes.Buffer
	if err := gm.Convert(md.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	// The page copies its rendered text (innerText: what is shown, closed
	// <details> left out) into #shown, which --dump-dom then prints.
	page := "<!doctype html><html><head><meta charset=utf-8></head><body><main>" + body.String() +
		"</main><pre id=shown></pre><script>document.getElementById('shown').textContent = " +
		"document.querySelector('main').innerText;</script></body></html>"
	dir := t.TempDir()
	file := filepath.Join(dir, "plan.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed: `make browser` installs it (apt-get install chromium): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)
	m := regexp.MustCompile(`(?s)<pre id="shown">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no rendered text in the DOM:\n%s", dom)
	}
	shown := html.UnescapeString(m[1])
	for _, w := range []string{
		"Customer acme (Acme <b>bold</b> & Co *star* _under_ | pipe)",
		"Billing preview of customer.acme.file.main (Main <i>contract</i> of billing@acme.example):",
		// The headline, its change in bold (shown as text, without the **).
		"Monthly billing: ≈ +73.09 EUR per month excl. VAT, ≈ +73.09 incl. VAT (the 2 affected customers are billed nothing per month now); one-time charges: 174.80 EUR excl. VAT, 174.80 incl. VAT.",
		"Money, in EUR excl. VAT, of the 2 customers",
		"Whole plan\t174.80\t≈ 73.09\t877.10\t39.80 per monthly cycle, 17.00 per quarterly cycle",
		"Customer beta (Beta SARL)\t0.00\t≈ 3.33\t40.00\t7.00 per quarterly cycle, 12.00 every 12 months",
		"Requests",
	} {
		if !strings.Contains(shown, w) {
			t.Errorf("the page does not show %q; it shows:\n%s", w, shown)
		}
	}
	// Folded: the request lines are in the DOM but not shown.
	if strings.Contains(shown, "POST /v1/customers") || !strings.Contains(dom, "POST /v1/customers") {
		t.Errorf("the requests are not folded in <details>")
	}
	for _, n := range []string{"<b>bold</b>", "<i>contract</i>", "<em>star</em>", "<em>under</em>", "mailto:", `href="`} {
		if strings.Contains(dom, n) {
			t.Errorf("the DOM has %q:\n%s", n, dom)
		}
	}
	if c := strings.Count(dom, "<details>"); c != 3 {
		t.Errorf("%d <details> blocks, want 3 (catalog and two customers)", c)
	}
}
