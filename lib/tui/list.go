package tui

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// list is a scrolling table: a header, rows, a cursor. Only the rows on
// screen are drawn, so a list of 10,000 costs what a screenful does.
type list struct {
	header []string
	rows   [][]string
	widths []int // each column's widest cell
	cursor int
	offset int
	height int  // rows on screen, from the last view
	full   bool // keep ids whole (detail views)
}

var reHexID = regexp.MustCompile(`\b[0-9a-f]{64}\b`)

// set replaces the rows (ids shortened), keeping the cursor in range.
func (l *list) set(header []string, rows [][]string) {
	l.header = header
	l.rows = make([][]string, len(rows))
	l.widths = make([]int, len(header))
	for i, h := range header {
		l.widths[i] = ansi.StringWidth(h)
	}
	for i, r := range rows {
		rr := make([]string, len(r))
		for j, cell := range r {
			switch {
			case l.full || len(cell) < 64:
			case len(cell) == 64 && isHex(cell): // an id: the common case, without the regexp
				cell = shortID(cell)
			default:
				cell = reHexID.ReplaceAllStringFunc(cell, shortID)
			}
			rr[j] = cell
			if j < len(l.widths) {
				l.widths[j] = max(l.widths[j], ansi.StringWidth(cell))
			}
		}
		l.rows[i] = rr
	}
	l.clamp()
}

func (l *list) clamp() {
	if l.cursor >= len(l.rows) {
		l.cursor = len(l.rows) - 1
	}
	if l.cursor < 0 {
		l.cursor = 0
	}
	if l.height > 0 {
		if l.cursor < l.offset {
			l.offset = l.cursor
		}
		if l.cursor >= l.offset+l.height {
			l.offset = l.cursor - l.height + 1
		}
	}
	if l.offset > max(0, len(l.rows)-1) {
		l.offset = max(0, len(l.rows)-1)
	}
	if l.offset < 0 {
		l.offset = 0
	}
}

// move moves the cursor by d rows (a page with ±height).
func (l *list) move(d int) {
	l.cursor += d
	l.clamp()
}

func (l *list) top()    { l.cursor = 0; l.clamp() }
func (l *list) bottom() { l.cursor = len(l.rows) - 1; l.clamp() }

// key handles the scrolling keys; it reports whether k was one.
func (l *list) key(k string) bool {
	switch k {
	case "up", "k":
		l.move(-1)
	case "down", "j":
		l.move(1)
	case "pgup", "ctrl+b":
		l.move(-max(1, l.height-1))
	case "pgdown", "ctrl+f", " ":
		l.move(max(1, l.height-1))
	case "home", "g":
		l.top()
	case "end", "G":
		l.bottom()
	default:
		return false
	}
	return true
}

// fit shrinks the widest columns until the table fits width (the
// cursor's two columns and one space between columns included).
func (l *list) fit(width int) []int {
	w := append([]int(nil), l.widths...)
	total := func() int {
		t := 2
		for _, x := range w {
			t += x + 1
		}
		return t - 1
	}
	for total() > width {
		widest := 0
		for i := range w {
			if w[i] > w[widest] {
				widest = i
			}
		}
		if w[widest] <= 4 {
			break
		}
		w[widest]--
	}
	return w
}

// view draws the header and the rows on screen in width × height
// (header included); the cursor's row starts with "▸".
func (l *list) view(width, height int, st *styles, empty string) string {
	l.height = max(1, height-1)
	l.clamp()
	w := l.fit(width)
	var b strings.Builder
	b.WriteString(st.header.Render(truncate("  "+row(l.header, w), width)))
	if len(l.rows) == 0 {
		b.WriteString("\n  " + st.dim.Render(empty))
		return b.String()
	}
	end := min(len(l.rows), l.offset+l.height)
	for i := l.offset; i < end; i++ {
		b.WriteByte('\n')
		line := row(l.rows[i], w)
		if i == l.cursor {
			b.WriteString(st.selected.Render(truncate("▸ "+line, width)))
		} else {
			b.WriteString(truncate("  "+line, width))
		}
	}
	return b.String()
}

// position says where the cursor is: "12/10000".
func (l *list) position() string {
	if len(l.rows) == 0 {
		return "0/0"
	}
	return itoa(l.cursor+1) + "/" + itoa(len(l.rows))
}

func row(cells []string, w []int) string {
	var b strings.Builder
	for i, c := range cells {
		if i >= len(w) {
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(pad(cutMiddle(c, w[i]), w[i]))
	}
	return strings.TrimRight(b.String(), " ")
}

// pad fills s with spaces to n columns.
func pad(s string, n int) string {
	if d := n - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// cutMiddle shortens s to n columns with an ellipsis in the middle.
func cutMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n || n < 3 {
		if len(r) > n {
			return string(r[:n])
		}
		return s
	}
	head := n / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// truncate cuts s to n columns.
func truncate(s string, n int) string {
	if ansi.StringWidth(s) <= n {
		return s
	}
	return ansi.Truncate(s, n, "…")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
