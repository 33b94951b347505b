package pane

// bigDigits renders a clock string ("00:01:47", or "+00:00:50" counting
// up from a stage end) three rows tall, so it reads from across the room.
// Characters the font lacks render as '-'.
func bigDigits(s string, ascii bool) [3]string {
	font := blockFont
	if ascii {
		font = segmentFont
	}
	var out [3]string
	for i, r := range s {
		g, ok := font[r]
		if !ok {
			g = font['-']
		}
		for row := 0; row < 3; row++ {
			if i > 0 {
				out[row] += " "
			}
			out[row] += g[row]
		}
	}
	return out
}

// The fonts are glyph tables, not styles: fixed data shared by every header.
var blockFont = map[rune][3]string{
	'0': {"█▀█", "█ █", "█▄█"},
	'1': {"▀█ ", " █ ", "▄█▄"},
	'2': {"▀▀█", "█▀▀", "█▄▄"},
	'3': {"▀▀█", " ▀█", "▄▄█"},
	'4': {"█ █", "▀▀█", "  █"},
	'5': {"█▀▀", "▀▀█", "▄▄█"},
	'6': {"█▀▀", "█▀█", "█▄█"},
	'7': {"▀▀█", "  █", "  █"},
	'8': {"█▀█", "█▀█", "█▄█"},
	'9': {"█▀█", "▀▀█", "▄▄█"},
	':': {" ", "▀", "▀"},
	'-': {"   ", "▀▀▀", "   "},
	'+': {" ▄ ", "▀█▀", " ▀ "},
}

var segmentFont = map[rune][3]string{
	'0': {" _ ", "| |", "|_|"},
	'1': {"   ", "  |", "  |"},
	'2': {" _ ", " _|", "|_ "},
	'3': {" _ ", " _|", " _|"},
	'4': {"   ", "|_|", "  |"},
	'5': {" _ ", "|_ ", " _|"},
	'6': {" _ ", "|_ ", "|_|"},
	'7': {" _ ", "  |", "  |"},
	'8': {" _ ", "|_|", "|_|"},
	'9': {" _ ", "|_|", " _|"},
	':': {" ", ".", "."},
	'-': {"   ", " _ ", "   "},
	'+': {"   ", "_|_", " | "},
}
