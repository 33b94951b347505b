package nginx

// hasHost reports whether f names the host a request was for ($host, or
// $server_name), which the top tables then count.
func hasHost(f *Format) bool { return f.has[fHost] || f.has[fServerName] }

// newHostParser is newCountingParser that also reads the host. The fields
// it needs are the counting parser's (parser.go) plus the two of the
// host; the client's header only when the client is read from it.
func newHostParser(f *Format, client ClientField) *Parser {
	return &Parser{f: f, steps: planSteps(f, func(fd field) bool {
		switch fd {
		case fHost, fServerName:
			return true
		case fUA, fReferer, fUpstreamStatus, fUpstreamList, fProto:
			return false
		case fXFF:
			return client == ClientXFF
		case fXRealIP:
			return client == ClientXRealIP
		}
		return true
	}), client: client, common: hasCommonPrefix(f)}
}
