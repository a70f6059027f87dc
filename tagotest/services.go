package tagotest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// This file delivers analysis runs to external analyses (their analysis_trigger
// channel) and serves the analysis services, which the fake records so tests can
// assert what an analysis sent, and TagoTiP commands.

// TriggerAnalysis runs an analysis as the platform does when an action, a schedule or a
// dashboard runs it (see also POST /analysis/{id}/run): the run is recorded ([Server.AnalysisRuns],
// origin "test") and delivered to the programs subscribed to the analysis's
// analysis_trigger channel, with payload {analysis_id, environment, data, token}, data
// being the scope items (a [Record] is sent as the platform prints a data record,
// anything else as encoding/json marshals it). It panics on an unknown analysis ID or a
// scope item that does not marshal; it runs an inactive analysis too.
func (s *Server) TriggerAnalysis(analysisID string, scope ...any) {
	items := make([]json.RawMessage, len(scope))
	for i, it := range scope {
		if r, isRecord := it.(Record); isRecord {
			it = recordScope(r)
		}
		b, err := json.Marshal(it)
		if err != nil {
			panic(fmt.Sprintf("tagotest: TriggerAnalysis: scope item %d: %v", i, err))
		}
		items[i] = b
	}
	data, _ := json.Marshal(items)
	s.mu.Lock()
	d := s.table("analysis")[analysisID]
	if d == nil {
		s.mu.Unlock()
		panic(fmt.Sprintf("tagotest: TriggerAnalysis: unknown analysis %q", analysisID))
	}
	s.runLocked(d, data, "test")
	s.unlock() // the run hooks publish it
}

// publishRun is the server's analysis-run hook: every run recorded (POST
// /analysis/{id}/run, a widget's button, an action, TriggerAnalysis) goes out on the
// analysis's analysis_trigger channel.
func (s *Server) publishRun(run AnalysisRun) {
	s.emitAnalysisRun(run.Analysis, run.Environment, run.Scope, run.Token)
}

// recordScope prints a Record the way the platform sends a data record in a scope.
func recordScope(r Record) obj {
	o := obj{"variable": r.Variable}
	for k, v := range map[string]string{"id": r.ID, "device": r.Device, "unit": r.Unit, "group": r.Group} {
		if v != "" {
			o[k] = v
		}
	}
	if r.Value != nil {
		o["value"] = r.Value
	}
	if r.Location != nil {
		o["location"] = geoPoint{Type: "Point", Coordinates: [2]float64{r.Location.Lng, r.Location.Lat}}
	}
	if r.Metadata != nil {
		o["metadata"] = r.Metadata
	}
	if !r.Time.IsZero() {
		o["time"] = jsTime(r.Time)
	}
	return o
}

// emitAnalysisRun publishes one run of an analysis on its analysis_trigger channel. It
// takes only the realtime lock, so it may be called holding s.mu or not. scope is the
// run's data as JSON (nil or null for none).
func (s *Server) emitAnalysisRun(analysisID string, env []AnalysisVariable, scope json.RawMessage, token string) {
	if len(bytes.TrimSpace(scope)) == 0 || string(scope) == "null" {
		scope = json.RawMessage("[]")
	}
	if env == nil {
		env = []AnalysisVariable{}
	}
	payload := struct {
		AnalysisID  string             `json:"analysis_id"`
		Environment []AnalysisVariable `json:"environment"`
		Data        json.RawMessage    `json:"data"`
		Token       string             `json:"token,omitempty"`
	}{analysisID, env, scope, token}
	b, err := json.Marshal(payload)
	if err != nil {
		panic("tagotest: analysis run: " + err.Error())
	}
	s.rt.publish("analysis_trigger@"+analysisID, "analysis_trigger", b)
}

// ServiceCall is one call of an analysis service the server received and accepted.
type ServiceCall struct {
	// Service names it: "console", "email", "email-smtp", "email-sendgrid", "sms",
	// "sms-twilio", "whatsapp-twilio", "notification", "mqtt", "attachment",
	// "queue-sqs", "pdf" or "tip" (a TagoTiP command).
	Service string
	// AnalysisID is the analysis whose token called ("" for a TagoTiP command, which a
	// service authorization sends).
	AnalysisID string
	// Body is the request body as received.
	Body json.RawMessage
	// Time is when the server received it (its clock, see [WithClock]).
	Time time.Time
}

// ServiceCalls returns the accepted calls of one service (every service when service is
// empty), oldest first.
func (s *Server) ServiceCalls(service string) []ServiceCall {
	s.rt.mu.Lock()
	defer s.rt.mu.Unlock()
	var out []ServiceCall
	for _, c := range s.rt.calls {
		if service == "" || c.Service == service {
			out = append(out, c)
		}
	}
	return out
}

// ConsoleLines returns the lines an analysis wrote to its console, in order: each
// console message split at its line breaks.
func (s *Server) ConsoleLines(analysisID string) []string {
	var out []string
	for _, c := range s.ServiceCalls("console") {
		if c.AnalysisID != analysisID {
			continue
		}
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(c.Body, &m)
		out = append(out, strings.Split(m.Message, "\n")...)
	}
	return out
}

// SentEmail is an e-mail an analysis sent through one of the e-mail services.
type SentEmail struct {
	// Service is "email", "email-smtp" or "email-sendgrid".
	Service    string
	AnalysisID string
	To         []string
	From       string
	Subject    string
	Message    string
	HTML       string
	// Template is the TagoRUN template's name, when one was used.
	Template string
	// Attachment is the attached file's name, when there was one.
	Attachment string
}

// Emails returns the e-mails sent, oldest first.
func (s *Server) Emails() []SentEmail {
	var out []SentEmail
	for _, c := range s.ServiceCalls("") {
		if c.Service != "email" && c.Service != "email-smtp" && c.Service != "email-sendgrid" {
			continue
		}
		var b struct {
			To         json.RawMessage `json:"to"`
			From       string          `json:"from"`
			Subject    string          `json:"subject"`
			Message    string          `json:"message"`
			HTML       string          `json:"html"`
			Template   *struct{ Name string }
			Attachment *struct{ Filename string }
		}
		_ = json.Unmarshal(c.Body, &b)
		e := SentEmail{Service: c.Service, AnalysisID: c.AnalysisID, To: recipients(b.To), From: b.From,
			Subject: b.Subject, Message: b.Message, HTML: b.HTML}
		if b.Template != nil {
			e.Template = b.Template.Name
		}
		if b.Attachment != nil {
			e.Attachment = b.Attachment.Filename
		}
		out = append(out, e)
	}
	return out
}

// recipients reads "to": one address, a comma-separated list, or an array.
func recipients(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) != nil || strings.TrimSpace(one) == "" {
		return nil
	}
	for _, to := range strings.Split(one, ",") {
		list = append(list, strings.TrimSpace(to))
	}
	return list
}

// SentMessage is a text message an analysis sent: SMS, Twilio SMS or WhatsApp.
type SentMessage struct {
	// Service is "sms", "sms-twilio" or "whatsapp-twilio".
	Service    string
	AnalysisID string
	To         string
	From       string
	Message    string
}

// TextMessages returns the SMS and WhatsApp messages sent, oldest first.
func (s *Server) TextMessages() []SentMessage {
	var out []SentMessage
	for _, c := range s.ServiceCalls("") {
		if c.Service != "sms" && c.Service != "sms-twilio" && c.Service != "whatsapp-twilio" {
			continue
		}
		var b struct{ To, From, Message string }
		_ = json.Unmarshal(c.Body, &b)
		out = append(out, SentMessage{Service: c.Service, AnalysisID: c.AnalysisID, To: b.To, From: b.From, Message: b.Message})
	}
	return out
}

// SentNotification is a notification an analysis sent.
type SentNotification struct {
	AnalysisID string
	Title      string
	Message    string
	RefID      string
}

// Notifications returns the notifications sent, oldest first.
func (s *Server) Notifications() []SentNotification {
	var out []SentNotification
	for _, c := range s.ServiceCalls("notification") {
		var b struct {
			Title, Message string
			RefID          string `json:"ref_id"`
		}
		_ = json.Unmarshal(c.Body, &b)
		out = append(out, SentNotification{AnalysisID: c.AnalysisID, Title: b.Title, Message: b.Message, RefID: b.RefID})
	}
	return out
}

func (s *Server) serviceRoutes() []route {
	an := []kind{kindAnalysis}
	r := func(path string, kinds []kind, h func(*call) reply) route {
		return route{method: http.MethodPost, segs: splitPath(path), kinds: kinds, h: h}
	}
	svc := func(name string, required []string, answer func(c *call, b svcBody) reply) route {
		return r("/analysis/services/"+name, an, func(c *call) reply { return s.service(c, name, required, answer) })
	}
	sent := func(msg string) func(*call, svcBody) reply {
		return func(*call, svcBody) reply { return ok(msg) }
	}
	return []route{
		svc("console/send", []string{"message"}, s.consoleSent),
		svc("email/send", []string{"to"}, emailAnswer),
		svc("email-smtp/send", []string{"to", "smtp_secret"}, emailAnswer),
		svc("email-sendgrid/send", []string{"to", "sendgrid_api_key"}, emailAnswer),
		svc("sms/send", []string{"to", "message"}, sent("SMS sent")),
		svc("sms-twilio/send", []string{"to", "message", "from", "twilio_sid", "twilio_token"}, sent("SMS sent")),
		svc("whatsapp-twilio/send", []string{"to", "from", "twilio_sid", "twilio_token"}, whatsAppAnswer),
		svc("notification/send", []string{"title", "message"}, s.notificationSent),
		svc("mqtt/publish", []string{"device", "topic"}, s.mqttPublished),
		svc("attachment/upload", []string{"archive", "filename", "type"}, s.attachmentUploaded),
		svc("queue-sqs/send", []string{"sqs_secret"}, sqsAnswer),
		r("/pdf", an, func(c *call) reply { return s.service(c, "pdf", nil, pdfAnswer) }),
		r("/tip/cmd", []kind{kindAuthorization}, func(c *call) reply {
			return s.service(c, "tip", []string{"serial", "protocol", "body"}, sent("Command sent"))
		}),
	}
}

// svcBody is a service's request body, member by member.
type svcBody map[string]json.RawMessage

func (b svcBody) str(key string) string {
	var v string
	_ = json.Unmarshal(b[key], &v)
	return v
}

// present reports whether key holds something other than null, "" or [].
func (b svcBody) present(key string) bool {
	v := bytes.TrimSpace(b[key])
	return len(v) > 0 && string(v) != "null" && string(v) != `""` && string(v) != "[]"
}

// service checks a service call (a JSON object holding the required members), lets
// answer check and answer it, and records it when answer succeeds.
func (s *Server) service(c *call, name string, required []string, answer func(*call, svcBody) reply) reply {
	var b svcBody
	if rep, good := c.decodeBody(&b); !good {
		return rep
	}
	for _, k := range required {
		if !b.present(k) {
			return bad(k, "%s is required", k)
		}
	}
	rep := answer(c, b)
	if rep.status >= 200 && rep.status < 300 {
		s.rt.mu.Lock()
		service, _, _ := strings.Cut(name, "/")
		s.rt.calls = append(s.rt.calls, ServiceCall{Service: service,
			AnalysisID: c.tok.analysis, Body: append(json.RawMessage(nil), c.body...), Time: s.now()})
		s.rt.mu.Unlock()
	}
	return rep
}

// consoleSent also shows the line to the analysis's console watchers.
func (s *Server) consoleSent(c *call, b svcBody) reply {
	var ts json.RawMessage = b["timestamp"]
	if len(ts) == 0 {
		ts = json.RawMessage(fmt.Sprint(s.now().UnixMilli()))
	}
	payload, _ := json.Marshal(struct {
		AnalysisID string          `json:"analysis_id"`
		Message    string          `json:"message"`
		Timestamp  json.RawMessage `json:"timestamp"`
	}{c.tok.analysis, b.str("message"), ts})
	ch := "analysis_console." + c.tok.analysis
	s.rt.publish(ch, ch, payload)
	return ok("Console sent")
}

func emailAnswer(_ *call, b svcBody) reply {
	if b.present("template") {
		return ok("Email sent")
	}
	if !b.present("subject") {
		return bad("subject", "subject is required")
	}
	if !b.present("message") && !b.present("html") {
		return bad("message", "message or html is required")
	}
	return ok("Email sent")
}

func whatsAppAnswer(_ *call, b svcBody) reply {
	if !b.present("message") && !b.present("content_sid") {
		return bad("message", "message or content_sid is required")
	}
	if b.present("attachment") && !b.present("content_type") {
		return bad("content_type", "content_type is required with an attachment")
	}
	return ok("WhatsApp message sent")
}

// notificationSent also delivers the notification on the profile's notification
// channel.
func (s *Server) notificationSent(c *call, b svcBody) reply {
	s.rt.publish("notification@"+c.tok.profile, "notification", c.body)
	return ok("Notification sent")
}

func (s *Server) mqttPublished(c *call, b svcBody) reply {
	if d := s.device(b.str("device")); d == nil || d.profile != c.tok.profile {
		return notFound("Device")
	}
	return ok("MQTT published")
}

// attachmentUploaded answers with an address for the file; the fake keeps the call,
// not a file to download.
func (s *Server) attachmentUploaded(c *call, b svcBody) reply {
	if _, err := base64.StdEncoding.DecodeString(b.str("archive")); err != nil {
		return bad("archive", "archive must be base64")
	}
	return ok(s.URL + "/attachments/" + c.tok.analysis + "/" + b.str("filename"))
}

func sqsAnswer(_ *call, b svcBody) reply {
	var list []json.RawMessage
	if json.Unmarshal(b["dataList"], &list) != nil || len(list) == 0 {
		return bad("dataList", "dataList must be an array of data")
	}
	return ok("Message sent to SQS")
}

// pdfAnswer renders nothing: it answers with a small document that names what it was
// asked to render, base64-encoded as the platform's PDF service answers.
func pdfAnswer(_ *call, b svcBody) reply {
	src := b.str("html")
	if src == "" {
		src = b.str("url")
	}
	if src == "" && b.present("base64") {
		raw, err := base64.StdEncoding.DecodeString(b.str("base64"))
		if err != nil {
			return bad("base64", "base64 must be base64")
		}
		src = string(raw)
	}
	if src == "" {
		return bad("html", "html, base64 or url is required")
	}
	return ok(base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n% tagotest\n" + src + "\n%%EOF\n")))
}
