package stratum

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// MaxLineBytes bounds one message line, its newline included. A longer
// line is a protocol violation (ErrLineTooLong); the server drops the
// connection.
const MaxLineBytes = 16 << 10

// Method names of the dialect (docs/stratum.md).
const (
	MethodSubscribe           = "mining.subscribe"
	MethodAuthorize           = "mining.authorize"
	MethodSubmit              = "mining.submit"
	MethodNotify              = "mining.notify"
	MethodSetDifficulty       = "mining.set_difficulty"
	MethodSuggestDifficulty   = "mining.suggest_difficulty"
	MethodExtranonceSubscribe = "mining.extranonce.subscribe"
	MethodConfigure           = "mining.configure"
	MethodSetExtranonce       = "mining.set_extranonce"
	MethodSetVersionMask      = "mining.set_version_mask"
	MethodReconnect           = "client.reconnect"
	MethodShowMessage         = "client.show_message"
	MethodGetVersion          = "client.get_version"
)

// Stratum error codes, the convention the common miners and pools share.
const (
	CodeOther         = 20 // anything else: bad parameters, unknown method
	CodeJobNotFound   = 21 // unknown or stale job
	CodeDuplicate     = 22 // the share was submitted before
	CodeLowDifficulty = 23 // the hash misses the share target
	CodeUnauthorized  = 24 // the worker is not authorized on this connection
	CodeNotSubscribed = 25 // mining.subscribe has not been called
)

// Error is a Stratum error. On the wire it is [code, "message", null].
type Error struct {
	Code    int
	Message string
}

// Errorf returns an *Error with a formatted message.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string { return fmt.Sprintf("stratum error %d: %s", e.Code, e.Message) }

// Is matches another *Error by code, so errors.Is(err, &Error{Code:
// CodeDuplicate}) tests the kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// MarshalJSON encodes [code, message, null].
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{e.Code, e.Message, nil})
}

// UnmarshalJSON accepts the array form, the object form some pools send
// ({"code": n, "message": "..."}) and a bare string (code 20).
func (e *Error) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '[':
		var a []json.RawMessage
		if err := json.Unmarshal(b, &a); err != nil {
			return err
		}
		if len(a) < 2 {
			return fmt.Errorf("stratum: error array has %d elements, want at least 2", len(a))
		}
		if err := json.Unmarshal(a[0], &e.Code); err != nil {
			return fmt.Errorf("stratum: error code: %w", err)
		}
		if err := json.Unmarshal(a[1], &e.Message); err != nil {
			return fmt.Errorf("stratum: error message: %w", err)
		}
		return nil
	case len(b) > 0 && b[0] == '{':
		var o struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		e.Code, e.Message = o.Code, o.Message
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("stratum: error is neither an array, an object nor a string")
	}
	e.Code, e.Message = CodeOther, s
	return nil
}

// Decoding errors.
var (
	// ErrLineTooLong: a line exceeded its bound without a newline.
	ErrLineTooLong = errors.New("stratum: line too long")
	// ErrMalformed: a line is not a Stratum message.
	ErrMalformed = errors.New("stratum: malformed message")
	// ErrBadParams: a message's params do not fit its method.
	ErrBadParams = errors.New("stratum: bad params")
)

// LineReader splits a stream into lines of at most a fixed size.
type LineReader struct {
	r *bufio.Reader
}

// NewLineReader reads lines of at most max bytes, newline included (max <=
// 0: MaxLineBytes).
func NewLineReader(r io.Reader, max int) *LineReader {
	if max <= 0 {
		max = MaxLineBytes
	}
	return &LineReader{r: bufio.NewReaderSize(r, max)}
}

// ReadLine returns the next non-blank line without its "\n" or "\r\n".
// The slice is valid until the next call. A line longer than the bound
// is ErrLineTooLong (the reader is then unusable); a stream ending in the
// middle of a line is io.ErrUnexpectedEOF.
func (lr *LineReader) ReadLine() ([]byte, error) {
	for {
		line, err := lr.r.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			return nil, ErrLineTooLong
		case err == io.EOF && len(bytes.TrimSpace(line)) > 0:
			return nil, io.ErrUnexpectedEOF
		case err != nil:
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) > 0 {
			return line, nil
		}
	}
}

// Message is one decoded line: a request (Method set, ID not null), a
// notification (Method set, ID null) or a response (no Method).
type Message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *Error          `json:"error,omitempty"`
}

// IsResponse reports a reply to a request.
func (m *Message) IsResponse() bool { return m.Method == "" }

// IsNotification reports a message that wants no reply (ID null).
func (m *Message) IsNotification() bool { return m.Method != "" && isNull(m.ID) }

// IDInt returns the ID as an integer, if it is one.
func (m *Message) IDInt() (int64, bool) {
	v, err := strconv.ParseInt(string(m.ID), 10, 64)
	return v, err == nil
}

func isNull(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || string(b) == "null"
}

// DecodeLine decodes one line (without its newline). It wants a JSON
// object whose id is null, a number or a string, whose method (if any) is
// a string and whose params (if any) are an array or null. Errors wrap
// ErrMalformed.
func DecodeLine(line []byte) (*Message, error) {
	var raw struct {
		ID     json.RawMessage `json:"id"`
		Method json.RawMessage `json:"method"`
		Params json.RawMessage `json:"params"`
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if t := bytes.TrimSpace(line); len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, jsonMsg(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	m := &Message{ID: raw.ID}
	if !isNull(raw.ID) {
		c := raw.ID[0]
		if c != '"' && c != '-' && (c < '0' || c > '9') {
			return nil, fmt.Errorf("%w: id is neither null, a number nor a string", ErrMalformed)
		}
	} else {
		m.ID = json.RawMessage("null")
	}
	if !isNull(raw.Method) {
		if err := json.Unmarshal(raw.Method, &m.Method); err != nil || m.Method == "" {
			return nil, fmt.Errorf("%w: method is not a non-empty string", ErrMalformed)
		}
	}
	if !isNull(raw.Params) {
		if raw.Params[0] != '[' {
			return nil, fmt.Errorf("%w: params is not an array", ErrMalformed)
		}
		m.Params = raw.Params
	}
	if m.Method == "" {
		if !isNull(raw.Result) {
			m.Result = raw.Result
		}
		if !isNull(raw.Error) {
			m.Error = &Error{}
			if err := m.Error.UnmarshalJSON(raw.Error); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
		}
	}
	return m, nil
}

// jsonMsg shortens encoding/json's errors for a reply.
func jsonMsg(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid json at byte %d: %v", se.Offset, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "truncated json"
	}
	return err.Error()
}

// ParamList splits the params array (none or null: empty).
func (m *Message) ParamList() ([]json.RawMessage, error) {
	if isNull(m.Params) {
		return nil, nil
	}
	var ps []json.RawMessage
	if err := json.Unmarshal(m.Params, &ps); err != nil {
		return nil, fmt.Errorf("%w: params: %v", ErrBadParams, jsonMsg(err))
	}
	return ps, nil
}

// EncodeRequest returns a request line (with its newline).
func EncodeRequest(id uint64, method string, params ...any) ([]byte, error) {
	return encodeLine(struct {
		ID     uint64 `json:"id"`
		Method string `json:"method"`
		Params []any  `json:"params"`
	}{id, method, nonNil(params)})
}

// EncodeNotification returns a notification line: id null.
func EncodeNotification(method string, params ...any) ([]byte, error) {
	return encodeLine(struct {
		ID     *int   `json:"id"`
		Method string `json:"method"`
		Params []any  `json:"params"`
	}{nil, method, nonNil(params)})
}

// EncodeResponse returns a response line to the request with id (nil:
// null). With e set the result is null.
func EncodeResponse(id json.RawMessage, result any, e *Error) ([]byte, error) {
	if isNull(id) {
		id = json.RawMessage("null")
	}
	if e != nil {
		result = nil
	}
	return encodeLine(struct {
		ID     json.RawMessage `json:"id"`
		Result any             `json:"result"`
		Error  *Error          `json:"error"`
	}{id, result, e})
}

func nonNil(p []any) []any {
	if p == nil {
		return []any{}
	}
	return p
}

func encodeLine(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("stratum: encode: %w", err)
	}
	return append(b, '\n'), nil
}

// PrevHashHex is a previous-block hash as mining.notify carries it: the
// internal-order bytes with each 4-byte word byte-swapped (equivalently
// the display hex with its eight words in reverse order).
func PrevHashHex(h chainhash.Hash) string {
	var b [chainhash.HashSize]byte
	for i := 0; i < chainhash.HashSize; i += 4 {
		binary.BigEndian.PutUint32(b[i:], binary.LittleEndian.Uint32(h[i:]))
	}
	return hex.EncodeToString(b[:])
}

// ParsePrevHash inverts PrevHashHex.
func ParsePrevHash(s string) (chainhash.Hash, error) {
	var h chainhash.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != chainhash.HashSize {
		return h, fmt.Errorf("%w: prevhash %q is not 64 hex digits", ErrBadParams, s)
	}
	for i := 0; i < chainhash.HashSize; i += 4 {
		binary.LittleEndian.PutUint32(h[i:], binary.BigEndian.Uint32(b[i:]))
	}
	return h, nil
}

// Hex32 is a version, nbits, ntime or nonce field: %08x of its value.
func Hex32(v uint32) string { return fmt.Sprintf("%08x", v) }

// ParseHex32 inverts Hex32; it wants exactly 8 hex digits.
func ParseHex32(s string) (uint32, error) {
	if len(s) != 8 {
		return 0, fmt.Errorf("%w: %q is not 8 hex digits", ErrBadParams, s)
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is not 8 hex digits", ErrBadParams, s)
	}
	return uint32(v), nil
}

// DiffOneTarget is the target of difficulty 1 ("bdiff"): 0xFFFF·2^208.
var DiffOneTarget = new(big.Int).Lsh(big.NewInt(0xFFFF), 208)

// maxTarget is 2^256-1, the easiest possible target.
var maxTarget = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// DifficultyToTarget returns DiffOneTarget/d, at most 2^256-1. d must be
// finite and positive.
func DifficultyToTarget(d float64) (*big.Int, error) {
	if !(d > 0) || math.IsInf(d, 0) {
		return nil, fmt.Errorf("%w: difficulty %v is not a positive number", ErrBadParams, d)
	}
	q := new(big.Float).SetPrec(512).SetInt(DiffOneTarget)
	q.Quo(q, new(big.Float).SetPrec(512).SetFloat64(d))
	t, _ := q.Int(nil)
	if t.Cmp(maxTarget) > 0 {
		t.Set(maxTarget)
	}
	if t.Sign() == 0 {
		t.SetInt64(1)
	}
	return t, nil
}

// TargetToDifficulty returns DiffOneTarget/t (t > 0).
func TargetToDifficulty(t *big.Int) float64 {
	if t.Sign() <= 0 {
		return math.Inf(1)
	}
	q := new(big.Float).SetPrec(512).SetInt(DiffOneTarget)
	q.Quo(q, new(big.Float).SetPrec(512).SetInt(t))
	f, _ := q.Float64()
	return f
}

// HashMeets reports whether a header hash, read as a little-endian
// 256-bit number, is at most target.
func HashMeets(h *chainhash.Hash, target *big.Int) bool {
	return chaincfg.HashToBig(h).Cmp(target) <= 0
}

// DefaultVersionMask is the BIP320 range of header version bits a miner
// may roll (mining.configure "version-rolling").
const DefaultVersionMask uint32 = 0x1fffe000

// RollVersion returns the job's version with the bits under mask taken
// from bits (BIP310's sixth submit parameter).
func RollVersion(job, bits, mask uint32) uint32 { return job&^mask | bits&mask }

// Notify is the job a mining.notify carries.
type Notify struct {
	JobID    string
	PrevHash chainhash.Hash // internal order
	Coinb1   []byte
	Coinb2   []byte
	Branch   []chainhash.Hash // internal order
	Version  uint32
	Bits     uint32
	Time     uint32
	Clean    bool
}

// Params returns the notification's params.
func (n *Notify) Params() []any {
	br := make([]string, len(n.Branch))
	for i, h := range n.Branch {
		br[i] = hex.EncodeToString(h[:])
	}
	return []any{n.JobID, PrevHashHex(n.PrevHash), hex.EncodeToString(n.Coinb1), hex.EncodeToString(n.Coinb2),
		br, Hex32(n.Version), Hex32(n.Bits), Hex32(n.Time), n.Clean}
}

// ParseNotify decodes mining.notify's params.
func ParseNotify(params json.RawMessage) (*Notify, error) {
	var p []json.RawMessage
	if err := json.Unmarshal(params, &p); err != nil || len(p) < 9 {
		return nil, fmt.Errorf("%w: mining.notify wants 9 params", ErrBadParams)
	}
	var (
		n                       Notify
		prev, cb1, cb2, v, b, t string
		branch                  []string
		err                     error
	)
	for i, dst := range []any{&n.JobID, &prev, &cb1, &cb2, &branch, &v, &b, &t, &n.Clean} {
		if json.Unmarshal(p[i], dst) != nil {
			return nil, fmt.Errorf("%w: mining.notify param %d has the wrong type", ErrBadParams, i+1)
		}
	}
	if n.PrevHash, err = ParsePrevHash(prev); err != nil {
		return nil, err
	}
	if n.Coinb1, err = hex.DecodeString(cb1); err != nil {
		return nil, fmt.Errorf("%w: coinb1 is not hex", ErrBadParams)
	}
	if n.Coinb2, err = hex.DecodeString(cb2); err != nil {
		return nil, fmt.Errorf("%w: coinb2 is not hex", ErrBadParams)
	}
	for _, s := range branch {
		bb, err := hex.DecodeString(s)
		if err != nil || len(bb) != chainhash.HashSize {
			return nil, fmt.Errorf("%w: merkle branch entry %q is not 64 hex digits", ErrBadParams, s)
		}
		n.Branch = append(n.Branch, chainhash.Hash(bb))
	}
	if n.Version, err = ParseHex32(v); err != nil {
		return nil, err
	}
	if n.Bits, err = ParseHex32(b); err != nil {
		return nil, err
	}
	if n.Time, err = ParseHex32(t); err != nil {
		return nil, err
	}
	return &n, nil
}

// Coinbase returns coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2, the
// coinbase transaction without witness.
func Coinbase(coinb1, en1, en2, coinb2 []byte) []byte {
	b := make([]byte, 0, len(coinb1)+len(en1)+len(en2)+len(coinb2))
	return append(append(append(append(b, coinb1...), en1...), en2...), coinb2...)
}

// MerkleRootFromBranch folds the coinbase's txid with the branch:
// root = sha256d(root ‖ b) for each entry.
func MerkleRootFromBranch(coinbase []byte, branch []chainhash.Hash) chainhash.Hash {
	root := chainhash.DoubleHashH(coinbase)
	for i := range branch {
		root = chainhash.HashPair(&root, &branch[i])
	}
	return root
}

// Header returns the header a share of this job stands for (version is
// the job's, or the rolled one).
func (n *Notify) Header(en1, en2 []byte, ntime, nonce, version uint32) wire.BlockHeader {
	return wire.BlockHeader{
		Version:    int32(version),
		PrevBlock:  n.PrevHash,
		MerkleRoot: MerkleRootFromBranch(Coinbase(n.Coinb1, en1, en2, n.Coinb2), n.Branch),
		Timestamp:  ntime,
		Bits:       n.Bits,
		Nonce:      nonce,
	}
}

// Submit is a mining.submit's params.
type Submit struct {
	Worker      string
	JobID       string
	Extranonce2 []byte
	Time        uint32
	Nonce       uint32
	// VersionBits is BIP310's optional sixth parameter (HasVersionBits).
	VersionBits    uint32
	HasVersionBits bool
}

// Params returns the request's params.
func (s *Submit) Params() []any {
	p := []any{s.Worker, s.JobID, hex.EncodeToString(s.Extranonce2), Hex32(s.Time), Hex32(s.Nonce)}
	if s.HasVersionBits {
		p = append(p, Hex32(s.VersionBits))
	}
	return p
}

// ParseSubmit decodes mining.submit's params. The extranonce2's length
// is the caller's to check.
func ParseSubmit(params []json.RawMessage) (*Submit, error) {
	if len(params) < 5 || len(params) > 6 {
		return nil, fmt.Errorf("%w: mining.submit wants 5 or 6 params, got %d", ErrBadParams, len(params))
	}
	var s Submit
	var en2, t, nonce, vb string
	for i, dst := range []any{&s.Worker, &s.JobID, &en2, &t, &nonce, &vb}[:len(params)] {
		if json.Unmarshal(params[i], dst) != nil {
			return nil, fmt.Errorf("%w: mining.submit param %d is not a string", ErrBadParams, i+1)
		}
	}
	var err error
	if s.Extranonce2, err = hex.DecodeString(en2); err != nil {
		return nil, fmt.Errorf("%w: extranonce2 %q is not hex", ErrBadParams, en2)
	}
	if s.Time, err = ParseHex32(t); err != nil {
		return nil, fmt.Errorf("ntime: %w", err)
	}
	if s.Nonce, err = ParseHex32(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	if len(params) == 6 {
		if s.VersionBits, err = ParseHex32(vb); err != nil {
			return nil, fmt.Errorf("version_bits: %w", err)
		}
		s.HasVersionBits = true
	}
	return &s, nil
}

// Subscription is mining.subscribe's result.
type Subscription struct {
	// ID names the session (the subscription ids of set_difficulty and
	// notify, and the resume id of a later subscribe).
	ID              string
	Extranonce1     []byte
	Extranonce2Size int
}

// MarshalJSON encodes [[["mining.set_difficulty",id],["mining.notify",id]],en1,size].
func (s *Subscription) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{
		[][2]string{{MethodSetDifficulty, s.ID}, {MethodNotify, s.ID}},
		hex.EncodeToString(s.Extranonce1), s.Extranonce2Size,
	})
}

// UnmarshalJSON decodes the result. The subscription list may also be a
// single pair, as some pools send it; the ID is that of mining.notify
// (else the first one).
func (s *Subscription) UnmarshalJSON(b []byte) error {
	var r []json.RawMessage
	if err := json.Unmarshal(b, &r); err != nil || len(r) < 3 {
		return fmt.Errorf("%w: mining.subscribe result is not [subscriptions, extranonce1, extranonce2_size]", ErrBadParams)
	}
	var en1 string
	if json.Unmarshal(r[1], &en1) != nil {
		return fmt.Errorf("%w: extranonce1 is not a string", ErrBadParams)
	}
	e1, err := hex.DecodeString(en1)
	if err != nil {
		return fmt.Errorf("%w: extranonce1 %q is not hex", ErrBadParams, en1)
	}
	var size int
	if json.Unmarshal(r[2], &size) != nil || size < 0 || size > 32 {
		return fmt.Errorf("%w: extranonce2_size is not an integer in 0..32", ErrBadParams)
	}
	var pairs [][]string
	if json.Unmarshal(r[0], &pairs) != nil {
		var one []string
		if json.Unmarshal(r[0], &one) == nil {
			pairs = [][]string{one}
		}
	}
	s.ID = ""
	for _, p := range pairs {
		if len(p) == 2 && (s.ID == "" || p[0] == MethodNotify) {
			s.ID = p[1]
		}
	}
	s.Extranonce1, s.Extranonce2Size = e1, size
	return nil
}
