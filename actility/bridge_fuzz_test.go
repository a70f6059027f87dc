package actility

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/go-tago/tago/tagotest"
)

// plainKey matches keys that would show as they are in an answer.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9]{6,}$`)

// FuzzBridgeHandler posts arbitrary bodies and keys to the bridge's uplink handler, in
// front of a fake TagoIO holding the devices of every fixture. Whatever comes, the
// bridge answers one of its documented statuses with a JSON answer whose status
// agrees, never shows a key, and stores exactly the records it says it stored.
func FuzzBridgeHandler(f *testing.F) {
	e := newBridgeEnv(f, func(c *BridgeConfig) { c.Logger = nil; c.ClientOptions = c.ClientOptions[:2] },
		tagotest.WithRequestLogLimit(0))
	devices := map[string]string{}
	for _, eui := range []string{"0018B20000000BEE", "0018B20000000B20", "000000000F1D8693", "0004A30B00087103",
		"20635F039100011E", "20635F04210001A7"} {
		devices[eui] = e.addDevice(eui, eui).ID
	}
	for _, name := range []string{"uplink_typed_2024.json", "uplink_untyped_2018.json", "uplink_untyped_2015.json",
		"uplink_geoloc_2022.json", "uplink_abeeway_2025.json", "join_request_2020.json", "uplink_no_time.json",
		"location_ble_2025.json", "location_gps_2024.json", "notification_2020.json"} {
		f.Add(fixture(f, name), e.auth.Key, uint8(0))
		f.Add(fixture(f, name), e.auth.Key, uint8(1))
	}
	f.Add(fixture(f, "uplink_typed_2024.json"), forged(1), uint8(2))
	f.Add([]byte(`{"DevEUI_uplink":{"DevEUI":"0018B20000000BEE","FPort":"x"}}`), e.auth.Key, uint8(3))
	total := func() int {
		n := 0
		for _, id := range devices {
			n += len(e.srv.Data(id))
		}
		return n
	}
	f.Fuzz(func(t *testing.T, body []byte, key string, where uint8) {
		target := "/uplink"
		req := httptest.NewRequest("POST", target, bytes.NewReader(body))
		switch where % 4 {
		case 0:
			req.URL.RawQuery = "authorization=" + url.QueryEscape(key)
		case 1:
			req.Header.Set("Authorization", key)
		case 2:
			req.URL.RawQuery = "authorization=" + url.QueryEscape(key)
			req.Header.Set("Authorization", "Bearer "+key)
		case 3:
			req.URL.RawQuery = "authorization=" + url.QueryEscape(key) + "&authorization=other" + key
		}
		before := total()
		w := httptest.NewRecorder()
		e.bridge.ServeHTTP(w, req)
		after := total()

		switch w.Code {
		case 200, 202, 400, 401, 403, 404, 413, 503:
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		var ans struct {
			Status  *bool   `json:"status"`
			Result  *string `json:"result"`
			Message *string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil || ans.Status == nil {
			t.Fatalf("not a JSON answer: %q", w.Body)
		}
		if *ans.Status != (w.Code < 300) || (w.Code < 300) != (ans.Result != nil) {
			t.Fatalf("status %d with %s", w.Code, w.Body)
		}
		if k := strings.TrimSpace(key); plainKey.MatchString(k) && strings.Contains(w.Body.String(), k) {
			t.Fatalf("the answer shows the key: %s", w.Body)
		}
		stored := 0
		if ans.Result != nil {
			if n, ok := strings.CutSuffix(*ans.Result, " Data Added"); ok {
				stored, _ = strconv.Atoi(n)
			}
		}
		if after-before != stored {
			t.Fatalf("%d records stored, the answer says %d: %s", after-before, stored, w.Body)
		}
		if w.Code == http.StatusOK && stored == 0 && *ans.Result != "already stored" &&
			!strings.HasPrefix(*ans.Result, "not sent again") && *ans.Result != "0 Data Added" {
			t.Fatalf("200 without a store: %s", w.Body)
		}
	})
}
