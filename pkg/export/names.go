package export

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxSlug bounds a local name derived from a long name (cut at a word).
const maxSlug = 40

// Slug derives a local name from a name as a person would write it:
// lower case, accents dropped ("Élysées" is "elysees"), every run of other
// characters one "-" ("SIP Trunk — 2 channels" is "sip-trunk-2-channels"),
// at most 40 characters, cut between words. Letters of other scripts are
// kept (local names are Unicode). "" when nothing is left.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining accent of the letter before
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	s := norm.NFC.String(b.String())
	if len(s) > maxSlug {
		cut := strings.LastIndexByte(s[:maxSlug+1], '-')
		if cut <= 0 {
			cut = maxSlug
			for cut > 0 && !isRuneStart(s[cut]) {
				cut--
			}
		}
		s = strings.TrimRight(s[:cut], "-")
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// namer hands out unique names within one scope (a kind at the top level,
// or a kind under one parent), in the order asked: the first object (the
// oldest, as objects are named in id order) keeps the plain slug, later
// ones get -2, -3...
type namer struct{ taken map[string]bool }

func newNamer() *namer { return &namer{taken: map[string]bool{}} }

func (n *namer) name(base string) string {
	if !n.taken[base] {
		n.taken[base] = true
		return base
	}
	for i := 2; ; i++ {
		c := base + "-" + strconv.Itoa(i)
		if !n.taken[c] {
			n.taken[c] = true
			return c
		}
	}
}
