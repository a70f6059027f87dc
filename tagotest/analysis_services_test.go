package tagotest

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServicesAreRecorded(t *testing.T) {
	srv := NewServer(t, WithClock((&fixedClock{t: t0}).now))
	an := srv.AddAnalysis(AnalysisSpec{External: true, Name: "Alerts"})
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	as := func(path string, body any) resp {
		t.Helper()
		return send(t, srv, "POST", path, "Analysis-Token", an.Token, body)
	}
	steps := []struct {
		path string
		body any
		want string
	}{
		{"/analysis/services/console/send", map[string]any{"message": "one\ntwo", "timestamp": 1}, "Console sent"},
		{"/analysis/services/console/send", map[string]any{"message": "three"}, "Console sent"},
		{"/analysis/services/email/send", map[string]any{"to": "a@x.com", "subject": "S", "message": "M"}, "Email sent"},
		{"/analysis/services/email-smtp/send", map[string]any{"to": "a@x.com,b@x.com", "smtp_secret": "{}", "subject": "S", "html": "<p>",
			"attachment": map[string]string{"archive": "AA==", "type": "base64", "filename": "r.pdf"}}, "Email sent"},
		{"/analysis/services/email-sendgrid/send", map[string]any{"to": []string{"c@x.com"}, "sendgrid_api_key": "k", "template": map[string]string{"name": "t"}}, "Email sent"},
		{"/analysis/services/sms/send", map[string]any{"to": "+1", "message": "hi"}, "SMS sent"},
		{"/analysis/services/sms-twilio/send", map[string]any{"to": "+2", "message": "yo", "from": "+9", "twilio_sid": "AC", "twilio_token": "t"}, "SMS sent"},
		{"/analysis/services/whatsapp-twilio/send", map[string]any{"to": "+3", "from": "+9", "twilio_sid": "AC", "twilio_token": "t", "content_sid": "HX"}, "WhatsApp message sent"},
		{"/analysis/services/notification/send", map[string]any{"title": "T", "message": "M", "ref_id": dev.ID}, "Notification sent"},
		{"/analysis/services/mqtt/publish", map[string]any{"device": dev.ID, "topic": "t", "message": "m"}, "MQTT published"},
		{"/analysis/services/queue-sqs/send", map[string]any{"sqs_secret": "{}", "dataList": []map[string]any{{"variable": "v"}}, "batch_enabled": true}, "Message sent to SQS"},
	}
	for _, st := range steps {
		r := as(st.path, st.body)
		require.Equal(t, 200, r.code, "%s: %s", st.path, r.body)
		assert.Equal(t, st.want, r.str(t), st.path)
	}
	url := as("/analysis/services/attachment/upload", map[string]any{"archive": "AA==", "filename": "r.pdf", "type": "application/pdf"}).str(t)
	assert.Equal(t, srv.URL+"/attachments/"+an.ID+"/r.pdf", url)
	pdf, err := base64.StdEncoding.DecodeString(as("/pdf", map[string]any{"html": "<h1>Hi</h1>"}).str(t))
	require.NoError(t, err)
	assert.Equal(t, "%PDF-1.4\n% tagotest\n<h1>Hi</h1>\n%%EOF\n", string(pdf))
	auth := srv.AddAuthorization(AuthorizationSpec{Name: "tip"})
	r := send(t, srv, "POST", "/tip/cmd", "Token", auth.Key, map[string]any{"serial": "s1", "protocol": "mqtt", "body": "reboot"})
	assert.Equal(t, "Command sent", r.str(t))

	assert.Equal(t, []string{"one", "two", "three"}, srv.ConsoleLines(an.ID))
	assert.Equal(t, []SentEmail{
		{Service: "email", AnalysisID: an.ID, To: []string{"a@x.com"}, Subject: "S", Message: "M"},
		{Service: "email-smtp", AnalysisID: an.ID, To: []string{"a@x.com", "b@x.com"}, Subject: "S", HTML: "<p>", Attachment: "r.pdf"},
		{Service: "email-sendgrid", AnalysisID: an.ID, To: []string{"c@x.com"}, Template: "t"},
	}, srv.Emails())
	assert.Equal(t, []SentMessage{
		{Service: "sms", AnalysisID: an.ID, To: "+1", Message: "hi"},
		{Service: "sms-twilio", AnalysisID: an.ID, To: "+2", From: "+9", Message: "yo"},
		{Service: "whatsapp-twilio", AnalysisID: an.ID, To: "+3", From: "+9"},
	}, srv.TextMessages())
	assert.Equal(t, []SentNotification{{AnalysisID: an.ID, Title: "T", Message: "M", RefID: dev.ID}}, srv.Notifications())
	calls := srv.ServiceCalls("")
	var names []string
	for _, c := range calls {
		names = append(names, c.Service)
		assert.Equal(t, t0, c.Time)
	}
	assert.Equal(t, []string{"console", "console", "email", "email-smtp", "email-sendgrid", "sms", "sms-twilio",
		"whatsapp-twilio", "notification", "mqtt", "queue-sqs", "attachment", "pdf", "tip"}, names)
	tip := srv.ServiceCalls("tip")
	require.Len(t, tip, 1)
	assert.Empty(t, tip[0].AnalysisID)
	assert.JSONEq(t, `{"serial":"s1","protocol":"mqtt","body":"reboot"}`, string(tip[0].Body))
}

func TestServicesRefusals(t *testing.T) {
	srv := NewServer(t)
	an := srv.AddAnalysis(AnalysisSpec{External: true, Name: "Alerts"})
	other := srv.AddProfile("other")
	foreign := srv.AddDevice(DeviceSpec{Name: "theirs", Profile: other.ID})
	tests := []struct {
		name, path, hdr, token string
		body                   any
		status                 int
		field                  string
	}{
		{"account token", "/analysis/services/sms/send", "Account-Token", srv.AccountToken(), map[string]string{"to": "+1", "message": "m"}, 401, ""},
		{"missing to", "/analysis/services/sms/send", "Analysis-Token", an.Token, map[string]string{"message": "m"}, 400, "to"},
		{"e-mail without body", "/analysis/services/email/send", "Analysis-Token", an.Token, map[string]string{"to": "a@x.com", "subject": "s"}, 400, "message"},
		{"e-mail without subject", "/analysis/services/email/send", "Analysis-Token", an.Token, map[string]string{"to": "a@x.com", "message": "m"}, 400, "subject"},
		{"SMTP without secret", "/analysis/services/email-smtp/send", "Analysis-Token", an.Token, map[string]string{"to": "a@x.com", "subject": "s", "message": "m"}, 400, "smtp_secret"},
		{"WhatsApp file without type", "/analysis/services/whatsapp-twilio/send", "Analysis-Token", an.Token,
			map[string]any{"to": "+1", "from": "+2", "twilio_sid": "a", "twilio_token": "b", "message": "m", "attachment": map[string]string{"filename": "f"}}, 400, "content_type"},
		{"MQTT to another profile's device", "/analysis/services/mqtt/publish", "Analysis-Token", an.Token, map[string]string{"device": foreign.ID, "topic": "t"}, 404, ""},
		{"attachment not base64", "/analysis/services/attachment/upload", "Analysis-Token", an.Token, map[string]string{"archive": "%%%", "filename": "f", "type": "t"}, 400, "archive"},
		{"SQS without data", "/analysis/services/queue-sqs/send", "Analysis-Token", an.Token, map[string]any{"sqs_secret": "{}", "dataList": "x"}, 400, "dataList"},
		{"PDF of nothing", "/pdf", "Analysis-Token", an.Token, map[string]string{}, 400, "html"},
		{"TiP with an analysis token", "/tip/cmd", "Analysis-Token", an.Token, map[string]string{"serial": "s", "protocol": "p", "body": "b"}, 401, ""},
		{"not JSON", "/analysis/services/console/send", "Analysis-Token", an.Token, "nope", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, srv, "POST", tt.path, tt.hdr, tt.token, tt.body)
			assert.Equal(t, tt.status, r.code, "%s", r.body)
			assert.False(t, r.env.Status)
			if tt.field != "" {
				assert.Contains(t, r.env.FieldErrors, tt.field, "%s", r.body)
			}
		})
	}
	assert.Empty(t, srv.ServiceCalls(""))
}

func TestConsoleAndNotificationsArePublished(t *testing.T) {
	srv := NewServer(t)
	an := srv.AddAnalysis(AnalysisSpec{External: true, Name: "Alerts"})
	console := openEvents(t, srv, "analysis_console."+an.ID, srv.AccountToken())
	notes := openEvents(t, srv, "notification", srv.AccountToken())
	send(t, srv, "POST", "/analysis/services/console/send", "Analysis-Token", an.Token, map[string]any{"message": "hello", "timestamp": 1741608000000})
	send(t, srv, "POST", "/analysis/services/notification/send", "Analysis-Token", an.Token, map[string]any{"title": "T", "message": "M"})
	_, data, err := console.next()
	require.NoError(t, err)
	assert.JSONEq(t, `{"channel":"analysis_console.`+an.ID+`","payload":{"analysis_id":"`+an.ID+`","message":"hello","timestamp":1741608000000}}`, data)
	_, data, err = notes.next()
	require.NoError(t, err)
	var ev struct {
		Channel string
		Payload map[string]string
	}
	require.NoError(t, json.Unmarshal([]byte(data), &ev))
	assert.Equal(t, "notification", ev.Channel)
	assert.Equal(t, map[string]string{"title": "T", "message": "M"}, ev.Payload)
}
