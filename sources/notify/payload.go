package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"warroom/sources"
	"warroom/sources/watch"
)

// payload is the request body for burst b in kind's shape. now stamps
// Feishu's signature; secret is the Feishu signing key ("" for none). It
// is written by sources.MarshalJSON: no HTML escaping, so "<" and ">" reach
// the chat as themselves (Slack's and Feishu's own escaping is applied
// beforehand), and no raw control or format character.
func payload(kind Kind, title string, b burst, now time.Time, secret string) ([]byte, error) {
	title = sources.Sanitize(title) // as the transitions' fields are, in line
	switch kind {
	case KindFeishu, KindLark:
		msg := feishuText{MsgType: "text"}
		msg.Content.Text = b.text(title, escapeFeishu)
		if secret != "" {
			ts := now.Unix()
			msg.Timestamp = strconv.FormatInt(ts, 10)
			msg.Sign = feishuSign(ts, secret)
		}
		return sources.MarshalJSON(msg)
	case KindSlack:
		return sources.MarshalJSON(struct {
			Text string `json:"text"`
		}{escapeSlack(b.text(title, nil))})
	default:
		g := genericBody{Title: title, Text: b.text(title, nil), Total: b.total(), Omitted: b.omitted,
			Transitions: records(b.trs), Firing: records(b.firing), AllClear: b.allClear}
		return sources.MarshalJSON(g)
	}
}

// feishuText is a Feishu/Lark custom bot text message. Timestamp and Sign
// are present only when the bot has a signing secret.
type feishuText struct {
	Timestamp string `json:"timestamp,omitempty"`
	Sign      string `json:"sign,omitempty"`
	MsgType   string `json:"msg_type"`
	Content   struct {
		Text string `json:"text"`
	} `json:"content"`
}

// feishuSign is the custom bot's signature: HMAC-SHA256 keyed by
// timestamp + "\n" + secret over an empty message, then standard base64.
// The key, not the message, carries the string to sign — unlike
// DingTalk's bot, which is the usual mistake. The timestamp is in
// seconds and must be within an hour of Feishu's clock. See "签名校验"
// (signature verification) in
// https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
// (the same algorithm on open.larksuite.com for Lark).
func feishuSign(ts int64, secret string) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(ts, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// genericBody is the generic webhook's JSON: the human text, every
// transition kept (oldest first) and the alerts still open after them,
// each as `warroom watch` writes a transition. It is an object rather
// than a bare array so it can say how many transitions were folded beyond
// the cap.
type genericBody struct {
	Title       string         `json:"title"`
	Text        string         `json:"text"`
	Total       int            `json:"total"`   // transitions in this message, listed or not
	Omitted     int            `json:"omitted"` // beyond the list's cap
	Transitions []watch.Record `json:"transitions"`
	Firing      []watch.Record `json:"firing"`    // every alert this webhook opened and has not closed, the worst first
	AllClear    bool           `json:"all_clear"` // this message closed the last of them
}

// records are trs as the generic body lists them, their text shown by
// the text policy (sources.Sanitize), as in the chat messages.
func records(trs []sources.Transition) []watch.Record {
	out := make([]watch.Record, len(trs))
	for i, tr := range trs {
		tr.Indicator, tr.Milestone, tr.Reason = sources.Sanitize(tr.Indicator), sources.Sanitize(tr.Milestone), sources.Sanitize(tr.Reason)
		tr.Phase, tr.Unit = sources.Phase(sources.Sanitize(string(tr.Phase))), sources.Unit(sources.Sanitize(string(tr.Unit)))
		out[i] = watch.RecordOf(tr)
	}
	return out
}

// escapeSlack applies Slack's required escaping, so untrusted text cannot
// form <!channel> or a disguised <url|link>.
func escapeSlack(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// escapeFeishu keeps untrusted text from forming Feishu's <at user_id=…>
// mention tags (an indicator named `<at user_id="all">` would page the
// whole group): '<' becomes the look-alike '‹'.
func escapeFeishu(s string) string { return strings.ReplaceAll(s, "<", "‹") }
