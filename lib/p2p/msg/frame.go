package msg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gamegold/gg/lib/chainhash"
)

// HeaderSize is the size of a message header.
const HeaderSize = 24

// CommandSize is the size of the command field.
const CommandSize = 12

// Header is a decoded message header.
type Header struct {
	Magic    uint32
	Command  string
	Length   uint32
	Checksum [4]byte
}

// Checksum returns the first four bytes of sha256d(payload).
func Checksum(payload []byte) [4]byte {
	h := chainhash.DoubleHashB(payload)
	var c [4]byte
	copy(c[:], h[:4])
	return c
}

// ParseHeader decodes a header. The command must be 1–12 printable ASCII
// characters followed only by NULs.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) != HeaderSize {
		return h, &Error{Kind: ErrMalformed, Command: "?", Detail: fmt.Sprintf("header of %d bytes", len(b))}
	}
	h.Magic = binary.LittleEndian.Uint32(b[0:4])
	cmd := b[4 : 4+CommandSize]
	n := bytes.IndexByte(cmd, 0)
	if n < 0 {
		n = CommandSize
	}
	if n == 0 {
		return h, &Error{Kind: ErrBadCommand, Command: "?", Detail: "empty command"}
	}
	for i, c := range cmd {
		if (i < n && (c < 0x21 || c > 0x7e)) || (i >= n && c != 0) {
			return h, &Error{Kind: ErrBadCommand, Command: fmt.Sprintf("%q", cmd), Detail: "not NUL-padded printable ASCII"}
		}
	}
	h.Command = string(cmd[:n])
	h.Length = binary.LittleEndian.Uint32(b[16:20])
	copy(h.Checksum[:], b[20:24])
	return h, nil
}

// AppendHeader appends a header for a payload.
func AppendHeader(b []byte, magic uint32, cmd string, payload []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, magic)
	var c [CommandSize]byte
	copy(c[:], cmd)
	b = append(b, c[:]...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	sum := Checksum(payload)
	return append(b, sum[:]...)
}

// AppendMessage appends the framed message m.
func AppendMessage(b []byte, magic uint32, m Message) []byte {
	payload := m.AppendPayload(nil)
	b = AppendHeader(b, magic, m.Command(), payload)
	return append(b, payload...)
}

// Encode returns the framed message m.
func Encode(magic uint32, m Message) []byte { return AppendMessage(nil, magic, m) }

// WriteMessage writes the framed message m and returns the bytes written.
func WriteMessage(w io.Writer, magic uint32, m Message) (int, error) {
	return w.Write(Encode(magic, m))
}

// ReadMessage reads one framed message from r. It checks the magic, the
// command's form and the length against the command's limit before
// allocating the payload, then the checksum, then decodes. An unknown
// command's payload (at most MaxPayload) is read and dropped: the error
// is ErrUnknownCommand and the stream stays in step. n counts the bytes
// read. After any other error the stream is out of step: close it.
func ReadMessage(r io.Reader, magic uint32) (m Message, n int, err error) {
	return ReadMessageAdmit(r, magic, nil)
}

// ErrNotAdmitted is ReadMessageAdmit's error when admit refuses a frame.
var ErrNotAdmitted = errors.New("p2p: message not admitted")

// ReadChunk is the first step in which ReadMessageAdmit grows a payload's
// buffer: it is allocated as its bytes arrive, never ahead of them by more
// than ReadChunk or by the bytes already read.
const ReadChunk = 64 << 10

// ReadMessageAdmit is ReadMessage calling admit (when not nil) before
// each allocation of payload memory, with the bytes to be added: the
// buffer starts at min(length, ReadChunk) and doubles up to the length,
// each step read in full before the next is admitted. The calls add up
// to the payload's length; a sender that announces a large payload and
// sends none of it has had at most ReadChunk admitted. admit may wait, and
// a false answer ends the read with ErrNotAdmitted. The bytes admitted
// are those of the calls made, whatever the result.
func ReadMessageAdmit(r io.Reader, magic uint32, admit func(n uint32) bool) (m Message, n int, err error) {
	var hb [HeaderSize]byte
	k, err := io.ReadFull(r, hb[:])
	n += k
	if err != nil {
		return nil, n, err
	}
	h, err := ParseHeader(hb[:])
	if err != nil {
		return nil, n, err
	}
	if h.Magic != magic {
		return nil, n, &Error{Kind: ErrBadMagic, Command: h.Command, Detail: fmt.Sprintf("magic %08x, want %08x", h.Magic, magic)}
	}
	limit := MaxPayloadFor(h.Command)
	known := Known(h.Command)
	if !known {
		limit = MaxPayload
	}
	if h.Length > uint32(limit) {
		return nil, n, &Error{Kind: ErrOversized, Command: h.Command, Detail: fmt.Sprintf("%d bytes, limit %d", h.Length, limit)}
	}
	payload, k, err := readPayload(r, int(h.Length), admit)
	n += k
	if err != nil {
		return nil, n, err
	}
	if Checksum(payload) != h.Checksum {
		return nil, n, &Error{Kind: ErrBadChecksum, Command: h.Command}
	}
	if !known {
		return nil, n, &Error{Kind: ErrUnknownCommand, Command: h.Command}
	}
	m, err = Decode(h.Command, payload)
	return m, n, err
}

// readPayload reads length bytes into a buffer grown as they arrive (see
// ReadMessageAdmit), asking admit before each growth.
func readPayload(r io.Reader, length int, admit func(n uint32) bool) ([]byte, int, error) {
	var buf []byte
	read := 0
	for {
		want := min(length, max(ReadChunk, 2*cap(buf)))
		if admit != nil && want > cap(buf) && !admit(uint32(want-cap(buf))) {
			return nil, read, ErrNotAdmitted
		}
		grown := make([]byte, want)
		copy(grown, buf)
		buf = grown
		k, err := io.ReadFull(r, buf[read:])
		read += k
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, read, err
		}
		if read == length {
			return buf, read, nil
		}
	}
}
