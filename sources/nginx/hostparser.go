package nginx

// hasDetailKeys reports whether f names the host a request was for
// ($host, or $server_name) or the upstream server that answered it
// ($upstream_addr), which the top tables then count.
func hasDetailKeys(f *Format) bool { return hasHost(f) || f.has[fUpstreamAddr] }

// hasHost reports whether f names the host a request was for.
func hasHost(f *Format) bool { return f.has[fHost] || f.has[fServerName] }

// newDetailParser is newCountingParser that also reads the host and the
// upstream address. The fields it needs are the counting parser's
// (parser.go) plus those; the client's header only when the client is
// read from it.
func newDetailParser(f *Format, client ClientField) *Parser {
	return &Parser{f: f, steps: planSteps(f, func(fd field) bool {
		switch fd {
		case fHost, fServerName, fUpstreamAddr:
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
