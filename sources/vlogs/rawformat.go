package vlogs

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"warroom/sources/config"
	"warroom/sources/nginx"
)

// Streams of raw nginx lines. A shipper that does not parse nginx's lines
// (a plain file input) leaves each one whole in _msg. An access stream
// with a `format` reads them with the log_format compiler the files are
// read with: the format becomes a LogsQL extract pattern that
// VictoriaLogs runs before each of the stream's queries, writing the
// variables warroom reads (status, request time, path, client) into
// fields of its own, which are then the stream's fields. Lines the
// format does not fit leave those fields empty: they count as requests,
// not as 499s, 5xx or slow ones (the file reader counts them as
// malformed instead).

// The fields a stream with a format reads its lines into.
const (
	rawStatus  = "warroom_status"
	rawRT      = "warroom_request_time"
	rawPath    = "warroom_path"
	rawClient  = "warroom_client"
	rawRequest = "warroom_request" // $request, split for its path
	rawXFF     = "warroom_xff"     // $http_x_forwarded_for, for its first hop
	rawRemote  = "warroom_remote"  // $remote_addr, when a header names the client
)

// rawFieldNames are the fields a format sets.
var rawFieldNames = Fields{Status: rawStatus, RequestTime: rawRT, Path: rawPath, Client: rawClient}

// compileRaw checks an access stream's format and client and sets its
// fields and the pipes that read them (s.raw); without a format, client
// must be empty. Idempotent: a config validated twice stays valid.
func (s *StreamConfig) compileRaw(n *yaml.Node) error {
	at := func(f string) *yaml.Node { return config.FieldNode(n, f) }
	if strings.TrimSpace(s.Format) == "" {
		if s.Client != "" {
			return config.Errorf(at("client"), "client", "is for a stream with a format (raw nginx lines in _msg); name the client's field in fields.client")
		}
		return nil
	}
	fn := at("fields")
	for _, f := range []struct{ name, v, raw string }{
		{"status", s.Fields.Status, rawStatus}, {"request_time", s.Fields.RequestTime, rawRT},
		{"path", s.Fields.Path, rawPath}, {"client", s.Fields.Client, rawClient},
	} {
		if f.v != "" && f.v != f.raw {
			return config.Errorf(config.FieldNode(fn, f.name), "fields."+f.name,
				"a stream with a format reads %s from the raw line in _msg: give fields only for host", f.name)
		}
	}
	client := nginx.ClientRemoteAddr
	switch s.Client {
	case "", "remote_addr":
	case "x_forwarded_for":
		client = nginx.ClientXFF
	case "x_real_ip":
		client = nginx.ClientXRealIP
	default:
		return config.Errorf(at("client"), "client", "want remote_addr, x_forwarded_for or x_real_ip, got %q", s.Client)
	}
	if strings.TrimSpace(s.Format) == "auto" {
		return config.Errorf(at("format"), "format", "give the log_format (a statement or a builtin name): auto detection reads a file's first lines")
	}
	f, err := nginx.CompileFormat(s.Format)
	if err != nil {
		return config.Errorf(at("format"), "format", "%v", err)
	}
	pipes, err := rawPipes(f, client)
	if err != nil {
		return config.Errorf(at("format"), "format", "%v", err)
	}
	s.raw = pipes
	s.Fields.Status, s.Fields.RequestTime, s.Fields.Path, s.Fields.Client = rawStatus, rawRT, rawPath, rawClient
	return nil
}

// rawPipes are the LogsQL pipes that read a raw line of format f (in
// _msg) into the raw fields, the client taken as the file reader takes
// it: the first hop of X-Forwarded-For or X-Real-IP when the config says
// so and the line has one, else $remote_addr.
func rawPipes(f *nginx.Format, client nginx.ClientField) (string, error) {
	prefix, vars := f.Layout()
	want := map[string]string{"status": rawStatus, "request_time": rawRT}
	has := map[string]bool{}
	for _, v := range vars {
		has[v.Name] = true
	}
	if !has["status"] {
		return "", fmt.Errorf("the format has no $status: warroom cannot count 499s and 5xx from it")
	}
	// the path as the file reader takes it: $request_uri, else $request's
	// second word, else $uri
	switch {
	case has["request_uri"]:
		want["request_uri"] = rawPath
	case has["request"]:
		want["request"] = rawRequest
	case has["uri"]:
		want["uri"] = rawPath
	}
	header := map[nginx.ClientField]string{nginx.ClientXFF: "http_x_forwarded_for", nginx.ClientXRealIP: "http_x_real_ip"}[client]
	switch {
	case header != "" && !has[header]:
		return "", fmt.Errorf("client names the client by $%s, which the format lacks", header)
	case header == "http_x_forwarded_for":
		want[header] = rawXFF
		want["remote_addr"] = rawRemote
	case header != "":
		want[header] = rawClient
		want["remote_addr"] = rawRemote
	default:
		want["remote_addr"] = rawClient
	}
	last := -1
	for i, v := range vars {
		if want[v.Name] != "" {
			last = i
		}
	}
	json := f.Escape == nginx.EscapeJSON
	var b strings.Builder
	lit := prefix
	for i := 0; i <= last; i++ {
		v := vars[i]
		switch {
		case i > 0 && lit == "":
			return "", fmt.Errorf("$%s follows $%s with nothing between them: VictoriaLogs' extract cannot tell where one ends", v.Name, vars[i-1].Name)
		case v.Ambiguous:
			return "", fmt.Errorf("$%s, before variables warroom reads, can hold the text that ends it (%q): VictoriaLogs' extract cannot read such lines; "+
				"ship the fields parsed instead (a JSON log_format) and name them in fields", v.Name, firstByte(v.After))
		}
		name, opt := want[v.Name], "plain:"
		if name == "" {
			name = "_"
		}
		after := v.After
		if json && strings.HasSuffix(lit, `"`) && strings.HasPrefix(after, `"`) {
			// a JSON string may hold \": VictoriaLogs reads it whole,
			// quotes included, and unquotes it
			lit, after, opt = lit[:len(lit)-1], after[1:], ""
		}
		b.WriteString(patternText(lit))
		b.WriteString("<" + opt + name + ">")
		lit = after
	}
	b.WriteString(patternText(lit))
	pipes := " | extract " + quote(b.String()) + " from _msg"
	if want["request"] != "" {
		// "GET /x HTTP/1.1" → /x; a request of one word (garbage) is
		// all path, as the file reader keeps it
		pipes += " | extract_regexp " + quote(`^(?:[^ ]* )?(?P<`+rawPath+`>.*?)(?: HTTP/[^ ]*)?$`) + " from " + rawRequest
	}
	if want["remote_addr"] == rawRemote {
		if header == "http_x_forwarded_for" {
			pipes += " | extract_regexp " + quote(`^\s*(?P<`+rawClient+`>[^,]*?)\s*(?:,|$)`) + " from " + rawXFF
		}
		pipes += " | format if (" + rawClient + `:"" or ` + rawClient + `:="-") "<` + rawRemote + `>" as ` + rawClient
	}
	return pipes, nil
}

func firstByte(s string) string {
	if s == "" {
		return ""
	}
	return s[:1]
}

// patternText writes literal text for an extract pattern, where < starts
// a placeholder: the pattern reads HTML entities.
func patternText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
