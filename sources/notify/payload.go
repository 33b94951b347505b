package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"

	"warroom/sources"
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
			Transitions: make([]transitionJSON, len(b.trs))}
		for i, tr := range b.trs {
			g.Transitions[i] = jsonOf(tr)
		}
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

// genericBody is the generic webhook's JSON: the human text and every
// transition kept, oldest first. It is an object rather than a bare
// array so it can say how many transitions were folded beyond the cap.
type genericBody struct {
	Title       string           `json:"title"`
	Text        string           `json:"text"`
	Total       int              `json:"total"`   // transitions in this message, listed or not
	Omitted     int              `json:"omitted"` // beyond the list's cap
	Transitions []transitionJSON `json:"transitions"`
}

// transitionJSON matches the record `warroom watch` prints: value and
// threshold are null when there is none (JSON has no NaN).
type transitionJSON struct {
	At        string        `json:"at"`
	Indicator string        `json:"indicator"`
	From      sources.State `json:"from"`
	To        sources.State `json:"to"`
	Value     *float64      `json:"value"`
	Threshold *float64      `json:"threshold"`
	Phase     string        `json:"phase"`
	Milestone string        `json:"milestone"`
}

// timeLayout is watch's: milliseconds and At's own offset.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func jsonOf(tr sources.Transition) transitionJSON {
	return transitionJSON{
		At: tr.At.Format(timeLayout), Indicator: sources.Sanitize(tr.Indicator), From: tr.From, To: tr.To,
		Value: finitePtr(tr.Value), Threshold: finitePtr(tr.Threshold),
		Phase: sources.Sanitize(string(tr.Phase)), Milestone: sources.Sanitize(tr.Milestone),
	}
}

func finitePtr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
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
