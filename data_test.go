package tago

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testDeviceID is the device the account-token tests address.
const testDeviceID = "65a1b2c3d4e5f60718290000"

// catchAll makes every request the test did not expect count and succeed, so that
// mt.GetTotalCallCount() == 0 proves nothing at all was sent.
func catchAll(mt *httpmock.MockTransport) {
	mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"status":true,"result":"1 Data Added"}`))
}

// deviceClient returns a client with a device token on a fresh mock transport.
func deviceClient(t *testing.T) (*Client, *httpmock.MockTransport) {
	t.Helper()
	c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
	return c, mt
}

// accountClient returns a client with an account token on a fresh mock transport.
func accountClient(t *testing.T) (*Client, *httpmock.MockTransport) {
	t.Helper()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	return c, mt
}

// assertDeviceToken checks that a request carried the device token, and only it.
func assertDeviceToken(t *testing.T, r capturedRequest) {
	t.Helper()
	assert.Equal(t, testDeviceToken, r.Header.Get("Device-Token"))
	assert.Empty(t, r.Header.Get("Account-Token"))
}

// assertAccountToken checks that a request carried the account token, and only it.
func assertAccountToken(t *testing.T, r capturedRequest) {
	t.Helper()
	assert.Equal(t, testAccountToken, r.Header.Get("Account-Token"))
	assert.Empty(t, r.Header.Get("Device-Token"))
}

// answerAdded registers a POST responder that stores every point it is sent and
// answers "N Data Added"; failAt lists zero-based request numbers to fail with 500.
func answerAdded(mt *httpmock.MockTransport, path string, failAt ...int) *capture {
	c := &capture{}
	mt.RegisterResponder("POST", testBaseURL+path, func(r *http.Request) (*http.Response, error) {
		c.record(r)
		reqs := c.all()
		for _, f := range failAt {
			if f == len(reqs)-1 {
				return httpmock.NewStringResponse(500, `{"status":false,"message":"Internal error"}`), nil
			}
		}
		var arr []json.RawMessage
		if err := json.Unmarshal(reqs[len(reqs)-1].Body, &arr); err != nil {
			return httpmock.NewStringResponse(400, `{"status":false,"message":"bad json"}`), nil
		}
		return httpmock.NewStringResponse(200, fmt.Sprintf(`{"status":true,"result":"%d Data Added"}`, len(arr))), nil
	})
	return c
}

func TestDataSendDeviceToken(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := expect(mt, "POST", "/data", 200, `{"status":true,"result":"2 Data Added"}`)

	n, err := c.Data.Send(t.Context(),
		Data{Variable: "temperature", Value: 21.5, Unit: "°C"},
		Data{Variable: "door_open", Value: false})
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	req := rec.last(t)
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, "/data", req.Path)
	assert.Empty(t, req.Query)
	assertDeviceToken(t, req)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.JSONEq(t, `[{"variable":"temperature","value":21.5,"unit":"°C"},{"variable":"door_open","value":false}]`, string(req.Body))
}

func TestDataSendAccountToken(t *testing.T) {
	t.Parallel()
	c, mt := accountClient(t)
	rec := expect(mt, "POST", "/device/"+testDeviceID+"/data", 200, `{"status":true,"result":"1 Data Added"}`)

	n, err := c.Devices.Data(testDeviceID).Send(t.Context(), Data{Variable: "level", Value: 3})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	req := rec.last(t)
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, "/device/"+testDeviceID+"/data", req.Path)
	assertAccountToken(t, req)
	assert.JSONEq(t, `[{"variable":"level","value":3}]`, string(req.Body))
}

// celsius is a named float type, to check values are accepted by kind.
type celsius float64

// label is a named string type.
type label string

func TestDataSendEncodesEveryField(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := expect(mt, "POST", "/data", 200, `{"status":true,"result":"14 Data Added"}`)

	at := time.Date(2024, 1, 2, 3, 4, 5, 678_900_000, time.FixedZone("CET", 3600))
	points := []Data{
		{Variable: "temperature", Value: 21.5, Unit: "°C", Time: at, Location: &Location{Lat: 42.2974279, Lng: -85.628292},
			Metadata: map[string]any{"color": "red", "x": 1}},
		{Variable: "count", Value: 42},
		{Variable: "small", Value: int8(-3)},
		{Variable: "unsigned", Value: uint16(7)},
		{Variable: "f32", Value: float32(0.1)},
		{Variable: "named", Value: celsius(19.25)},
		{Variable: "number", Value: json.Number("1.50")},
		{Variable: "status", Value: "door \"open\"\n\t<ok>"},
		{Variable: "tagged", Value: label("on")},
		{Variable: "flag", Value: true},
		{Variable: "no_value"},
		{Variable: "tiny", Value: 1e-7, Group: "g1", Serie: "s1"},
		{ID: "65a1b2c3d4e5f60718291111", Device: testDeviceID, Variable: "huge", Value: 1e21, CreatedAt: at},
		{Variable: "zero", Value: 0.0, Metadata: map[string]any{}},
	}
	n, err := c.Data.Send(t.Context(), points...)
	require.NoError(t, err)
	assert.Equal(t, 14, n)

	body := string(rec.last(t).Body)
	assert.JSONEq(t, `[
		{"variable":"temperature","value":21.5,"unit":"°C","time":"2024-01-02T02:04:05.678Z",
		 "location":{"type":"Point","coordinates":[-85.628292,42.2974279]},"metadata":{"color":"red","x":1}},
		{"variable":"count","value":42},
		{"variable":"small","value":-3},
		{"variable":"unsigned","value":7},
		{"variable":"f32","value":0.1},
		{"variable":"named","value":19.25},
		{"variable":"number","value":1.5},
		{"variable":"status","value":"door \"open\"\n\t<ok>"},
		{"variable":"tagged","value":"on"},
		{"variable":"flag","value":true},
		{"variable":"no_value"},
		{"variable":"tiny","value":1e-7,"group":"g1","serie":"s1"},
		{"variable":"huge","value":1e21},
		{"variable":"zero","value":0,"metadata":{}}
	]`, body)
	// The exact number forms: shortest round-trip text, float32 in its own precision,
	// json.Number verbatim, exponents like encoding/json writes them.
	for _, want := range []string{`"value":0.1}`, `"value":1.50}`, `"value":1e-7,`, `"value":1e+21}`, `"value":19.25}`} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, "65a1b2c3d4e5f60718291111", "ID is assigned by the platform, never sent")
	assert.NotContains(t, body, "created_at")
	assert.NotContains(t, body, `"device"`)
}

func TestDataSendNothing(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	catchAll(mt)
	n, err := c.Data.Send(t.Context())
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestDataSendBatchesByCount(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := answerAdded(mt, "/data")

	points := make([]Data, 10_001)
	for i := range points {
		points[i] = Data{Variable: "a"} // 16 bytes each: the 8000-point limit binds first
	}
	n, err := c.Data.Send(t.Context(), points...)
	require.NoError(t, err)
	assert.Equal(t, 10_001, n)

	reqs := rec.all()
	require.Len(t, reqs, 2)
	for i, want := range []int{8000, 2001} {
		var arr []map[string]any
		require.NoError(t, json.Unmarshal(reqs[i].Body, &arr))
		assert.Len(t, arr, want, "request %d", i)
		assert.Equal(t, map[string]any{"variable": "a"}, arr[0])
	}
}

// sizedPoint encodes to exactly 84 bytes ("°" takes two).
func sizedPoint(i int) Data {
	return Data{Variable: "temperature", Value: float64(10 + i%90), Unit: "°C",
		Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)}
}

func TestDataSendBatchesBySize(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := answerAdded(mt, "/data")

	one, err := appendPoint(nil, Ptr(sizedPoint(0)), 0)
	require.NoError(t, err)
	require.Len(t, one, 84, "%s", one)

	points := make([]Data, 10_001)
	for i := range points {
		points[i] = sizedPoint(i)
	}
	n, err := c.Data.Send(t.Context(), points...)
	require.NoError(t, err)
	assert.Equal(t, 10_001, n)

	// 2 + 84k + (k-1) <= 200,000 gives k = 2352 points per request.
	reqs := rec.all()
	require.Len(t, reqs, 5)
	next := 0
	for i, want := range []int{2352, 2352, 2352, 2352, 593} {
		assert.LessOrEqual(t, len(reqs[i].Body), maxBatchBytes)
		var arr []map[string]any
		require.NoError(t, json.Unmarshal(reqs[i].Body, &arr))
		require.Len(t, arr, want, "request %d", i)
		// The points go out in order, none lost or repeated.
		first := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(next) * time.Millisecond)
		assert.Equal(t, formatTime(first), arr[0]["time"], "request %d", i)
		next += want
	}
	assert.Equal(t, 10_001, next)
	assert.Len(t, reqs[0].Body, 2+2352*84+2351)
}

func TestEncodeBatchesBoundaries(t *testing.T) {
	t.Parallel()
	// item returns an encoder writing JSON strings of exactly the given sizes.
	items := func(sizes ...int) encodeFunc {
		return func(dst []byte, i int) ([]byte, error) {
			dst = append(dst, '"')
			dst = append(dst, strings.Repeat("x", sizes[i]-2)...)
			return append(dst, '"'), nil
		}
	}
	split := func(sizes ...int) []int {
		var got []int
		_, err := encodeBatches(len(sizes), "points", items(sizes...), func(_ int, sp span, body []byte) error {
			require.LessOrEqual(t, len(body), maxBatchBytes)
			require.Equal(t, sp.size, len(body))
			require.True(t, json.Valid(body))
			got = append(got, sp.n)
			return nil
		})
		require.NoError(t, err)
		return got
	}
	// "[" + a + "," + b + "]" is exactly the limit: one request.
	assert.Equal(t, []int{2}, split(100_000, maxBatchBytes-100_000-3))
	// One byte more, counting the separator: two requests.
	assert.Equal(t, []int{1, 1}, split(100_000, maxBatchBytes-100_000-2))
	// A single item may fill a request to the byte.
	assert.Equal(t, []int{1, 1}, split(maxBatchBytes-2, 10))
	_, err := encodeBatches(1, "points", items(maxBatchBytes-1), func(int, span, []byte) error { return nil })
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "points[0]", ie.Field)
	// The count limit alone.
	sizes := make([]int, 2*maxBatchPoints+1)
	for i := range sizes {
		sizes[i] = 3
	}
	assert.Equal(t, []int{maxBatchPoints, maxBatchPoints, 1}, split(sizes...))
}

func TestDataSendPartialFailure(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := answerAdded(mt, "/data", 2)

	points := make([]Data, 10_001)
	for i := range points {
		points[i] = sizedPoint(i)
	}
	n, err := c.Data.Send(t.Context(), points...)
	require.Error(t, err)
	assert.Equal(t, 4704, n, "the points of the two batches before the failure")

	var be *BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, BatchError{Batch: 2, Batches: 5, First: 4704, Size: 2352, Stored: 4704, MayBeStored: true, Err: be.Err}, *be)
	assert.ErrorIs(t, err, ErrServer)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 1, apiErr.Attempts, "a POST that failed with 500 may have been stored: never repeated")
	assert.Equal(t, "tago: batch 3 of 5 (items 4704-7055) failed after 4704 were stored (and may be stored itself): POST /data: 500 Internal error", err.Error())
	assert.Equal(t, 3, rec.count(), "no batch is sent after the failed one")
	assert.Equal(t, 4704+2352, be.NotStoredFrom(), "a 500 may come after the batch was stored")
	assert.True(t, MayBeStored(err))
}

// TestSingleRequestSendFailsPlainly checks that a Send needing one request returns that
// request's error, not a BatchError dressed as "batch 1 of 1 (items 0-0)".
func TestSingleRequestSendFailsPlainly(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	answerAdded(mt, "/data", 0)

	n, err := c.Data.Send(t.Context(), Data{Variable: "a", Value: 1})
	assert.Zero(t, n)
	var be *BatchError
	assert.False(t, errors.As(err, &be))
	assert.ErrorIs(t, err, ErrServer)
	assert.Equal(t, "tago: POST /data: 500 Internal error", err.Error())
	assert.True(t, MayBeStored(err))
	assert.Equal(t, 1, mt.GetTotalCallCount())

	c, mt = accountClient(t)
	expect(mt, "PUT", "/device/"+testDeviceID+"/data", 400, `{"status":false,"message":"Invalid ID"}`)
	_, err = c.Devices.Data(testDeviceID).Edit(t.Context(), DataEdit{ID: "x", Value: 1})
	assert.Equal(t, "tago: PUT /device/"+testDeviceID+"/data: 400 Invalid ID", err.Error())
	assert.False(t, MayBeStored(err))
}

// TestBatchErrorSaysWhatIsSafe checks that a BatchError says whether the failed batch
// may be stored, by the POST retry rule, and which points are certainly not stored:
// resending exactly those never stores a point twice.
func TestBatchErrorSaysWhatIsSafe(t *testing.T) {
	t.Parallel()
	points := make([]Data, 2*maxBatchPoints+10) // three batches: 8000, 8000, 10
	for i := range points {
		points[i] = Data{Variable: "v"}
	}
	for _, tc := range []struct {
		name  string
		fail  func(*http.Request) (*http.Response, error)
		maybe bool
	}{
		{"500", reply(500, `{"status":false,"message":"Internal error"}`), true},
		{"502 page", reply(502, `<html>Bad Gateway</html>`), true},
		{"504", reply(504, ``), true},
		{"connection lost after writing", fail(io.ErrUnexpectedEOF), true},
		{"answer cut short", reply(200, `{"status":true,"result":"8000 Da`), true},
		{"400", reply(400, `{"status":false,"message":"Invalid variable"}`), false},
		{"403", reply(403, `{"status":false,"message":"Plan limit"}`), false},
		{"refused with status false", reply(200, `{"status":false,"message":"Device is deactivated"}`), false},
		{"503 with Retry-After past the cap", reply(503, `{"status":false,"message":"Maintenance"}`, "Retry-After", "3600"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := deviceClient(t)
			rec := expectSeq(mt, "POST", "/data", reply(200, `{"status":true,"result":"8000 Data Added"}`), tc.fail)
			n, err := c.Data.Send(t.Context(), points...)
			assert.Equal(t, maxBatchPoints, n)
			var be *BatchError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, 1, be.Batch)
			assert.Equal(t, 3, be.Batches)
			assert.Equal(t, maxBatchPoints, be.First)
			assert.Equal(t, maxBatchPoints, be.Size)
			assert.Equal(t, tc.maybe, be.MayBeStored)
			assert.Equal(t, tc.maybe, MayBeStored(err), "MayBeStored reads the failed batch")
			assert.Equal(t, MayBeStored(be.Err), be.MayBeStored)
			want := maxBatchPoints
			if tc.maybe {
				want = 2 * maxBatchPoints
			}
			assert.Equal(t, want, be.NotStoredFrom())
			assert.Equal(t, 2, rec.count(), "the failed batch is sent once, the third never")
		})
	}
}

func TestDataSendTransportFailure(t *testing.T) {
	t.Parallel()
	// The connection broke after the request went out: the platform may have stored
	// the points, so the POST is not repeated.
	c, mt, sleeps := newTestClient(t, DeviceToken(testDeviceToken))
	rec := expectSeq(mt, "POST", "/data", fail(io.ErrUnexpectedEOF))
	n, err := c.Data.Send(t.Context(), Data{Variable: "a", Value: 1})
	assert.Zero(t, n)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Attempts)
	assert.True(t, MayBeStored(err))
	assert.Equal(t, 1, rec.count())
	assert.Empty(t, sleeps.recorded())

	// The connection could not be opened: nothing reached the platform, so the POST is
	// retried, and the points are stored once.
	c, mt, sleeps = newTestClient(t, DeviceToken(testDeviceToken))
	rec = expectSeq(mt, "POST", "/data",
		fail(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}),
		reply(200, `{"status":true,"result":"1 Data Added"}`))
	n, err = c.Data.Send(t.Context(), Data{Variable: "a", Value: 1})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, 2, rec.count())
	assert.Len(t, sleeps.recorded(), 1)
	assert.Equal(t, rec.all()[0].Body, rec.all()[1].Body)
}

// TestSendCountlessSuccessIsStored checks that any 2xx answer with "status": true means
// the batch was stored, whatever its result says: a count is taken as given, and an
// answer without one counts the batch's points instead of failing (a caller resending
// after such an error would store every point twice) or reporting 0.
func TestSendCountlessSuccessIsStored(t *testing.T) {
	t.Parallel()
	points := []Data{{Variable: "a", Value: 1}, {Variable: "b", Value: 2}, {Variable: "c", Value: 3}}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   int
	}{
		{"platform count", 200, `{"status":true,"result":"3 Data Added"}`, 3},
		{"TagoCore count", 202, `{"status":true,"result":"3 items added"}`, 3},
		{"TagoCore queue", 202, `{"status":true,"result":"3 items added to queue"}`, 3},
		{"bare number", 200, `{"status":true,"result":3}`, 3},
		{"count of zero", 200, `{"status":true,"result":"0 Data Added"}`, 0},
		{"message without a count", 200, `{"status":true,"result":"Data Added"}`, 3},
		{"ok", 200, `{"status":true,"result":"ok"}`, 3},
		{"empty message", 200, `{"status":true,"result":""}`, 3},
		{"true", 200, `{"status":true,"result":true}`, 3},
		{"null", 200, `{"status":true,"result":null}`, 3},
		{"no result", 200, `{"status":true}`, 3},
		{"no result, a message", 201, `{"status":true,"message":"queued"}`, 3},
		{"an object", 200, `{"status":true,"result":{"added":"yes"}}`, 3},
		{"an array", 200, `{"status":true,"result":[]}`, 3},
		{"a fraction", 200, `{"status":true,"result":2.5}`, 3},
		{"a count out of range", 200, `{"status":true,"result":"99999999999999999999999 Data Added"}`, 3},
		{"204", 204, ``, 3},
		{"201 without a body", 201, ``, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := deviceClient(t)
			rec := expect(mt, "POST", "/data", tc.status, tc.body)
			n, err := c.Data.Send(t.Context(), points...)
			require.NoError(t, err)
			assert.Equal(t, tc.want, n)
			assert.Equal(t, 1, rec.count())
		})
	}

	// Several batches answered without a count: every point is counted once.
	c, mt := deviceClient(t)
	rec := expect(mt, "POST", "/data", 200, `{"status":true}`)
	many := make([]Data, 2*maxBatchPoints+5)
	for i := range many {
		many[i] = Data{Variable: "v", Value: i}
	}
	n, err := c.Data.Send(t.Context(), many...)
	require.NoError(t, err)
	assert.Equal(t, len(many), n)
	assert.Equal(t, 3, rec.count())
}

// TestEditCountlessSuccessIsStored checks the same rule for Edit: an answer without a
// count (TagoCore answers an edit with no result) reports the number of edits sent.
func TestEditCountlessSuccessIsStored(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body string
		want int
	}{
		{"platform count", `{"status":true,"result":"1 item(s) updated"}`, 1},
		{"no result", `{"status":true}`, 2},
		{"null", `{"status":true,"result":null}`, 2},
		{"message without a count", `{"status":true,"result":"Successfully Updated"}`, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := accountClient(t)
			expect(mt, "PUT", "/device/"+testDeviceID+"/data", 200, tc.body)
			n, err := c.Devices.Data(testDeviceID).Edit(t.Context(),
				DataEdit{ID: "65a1b2c3d4e5f6071829aaa1", Value: 1}, DataEdit{ID: "65a1b2c3d4e5f6071829aaa2", Value: 2})
			require.NoError(t, err)
			assert.Equal(t, tc.want, n)
		})
	}
}

// TestDeleteCountlessSuccessIsDone checks that a delete confirmed without a count is a
// success: a delete by IDs reports the IDs, any other query -1 (unknown).
func TestDeleteCountlessSuccessIsDone(t *testing.T) {
	t.Parallel()
	ids := []string{"65a1b2c3d4e5f6071829aaa1", "65a1b2c3d4e5f6071829aaa2"}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		q      *DataQuery
		want   int
	}{
		{"count", 200, `{"status":true,"result":"1 Data Removed"}`, &DataQuery{IDs: ids}, 1},
		{"TagoCore's bare number", 200, `{"status":true,"result":2}`, &DataQuery{Query: QueryLastItem}, 2},
		{"ids without a count", 200, `{"status":true,"result":"Data Removed"}`, &DataQuery{IDs: ids}, 2},
		{"ids, 204", 204, ``, &DataQuery{IDs: ids}, 2},
		{"a query without a count", 200, `{"status":true}`, &DataQuery{Query: QueryLastItem}, -1},
		{"ids past a skip without a count", 200, `{"status":true,"result":"ok"}`, &DataQuery{IDs: ids, Skip: 1}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := deviceClient(t)
			expect(mt, "DELETE", "/data", tc.status, tc.body)
			n, err := c.Data.Delete(t.Context(), tc.q)
			require.NoError(t, err)
			assert.Equal(t, tc.want, n)
		})
	}
}

func TestParseAffected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw   string
		want  int
		known bool
	}{
		{`"3 Data Removed"`, 3, true},
		{`"2 Data Added"`, 2, true},
		{`"2 items added"`, 2, true},
		{`"1 item(s) updated"`, 1, true},
		{`"0 Data Added"`, 0, true},
		{`"  12 Data Added "`, 12, true},
		{`"Data Added: 7"`, 7, true},
		{`5`, 5, true},
		{`"Data Removed"`, 0, false},
		{`""`, 0, false},
		{`"99999999999999999999999 Data Added"`, 0, false},
		{`"3000000000 Data Added"`, 0, false},
		{`-1`, 0, false},
		{`2.5`, 0, false},
		{`true`, 0, false},
		{`null`, 0, false},
		{`[1]`, 0, false},
		{`{"n":1}`, 0, false},
	} {
		a := affected{n: 99, known: true}
		require.NoError(t, a.decodeResult([]byte(tc.raw)), tc.raw)
		assert.Equal(t, affected{n: tc.want, known: tc.known}, a, tc.raw)
	}
	// Like every resultDecoder it refuses data after the value, which fastResult's
	// shortcut relies on: such an answer is read again from the whole envelope.
	var a affected
	assert.Error(t, a.decodeResult([]byte(`"1 Data Added","message":"late"`)))
	c, mt := deviceClient(t)
	expect(mt, "POST", "/data", 200, `{"status":true,"result":"1 Data Added","status":false,"message":"refused"}`)
	n, err := c.Data.Send(t.Context(), Data{Variable: "a", Value: 1})
	assert.Zero(t, n)
	assert.EqualError(t, err, "tago: POST /data: 200 refused")
}

func TestBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	type badStruct struct{ A int }
	for _, tc := range []struct {
		name  string
		point Data
		field string
	}{
		{"empty variable", Data{Value: 1}, "points[2].variable"},
		{"long variable", Data{Variable: strings.Repeat("v", 101), Value: 1}, "points[2].variable"},
		{"NaN", Data{Variable: "t", Value: math.NaN()}, "points[2].value"},
		{"+Inf", Data{Variable: "t", Value: math.Inf(1)}, "points[2].value"},
		{"-Inf", Data{Variable: "t", Value: math.Inf(-1)}, "points[2].value"},
		{"float32 NaN", Data{Variable: "t", Value: float32(math.NaN())}, "points[2].value"},
		{"named NaN", Data{Variable: "t", Value: celsius(math.Inf(1))}, "points[2].value"},
		{"struct", Data{Variable: "t", Value: badStruct{1}}, "points[2].value"},
		{"channel", Data{Variable: "t", Value: make(chan int)}, "points[2].value"},
		{"map", Data{Variable: "t", Value: map[string]any{"a": 1}}, "points[2].value"},
		{"slice", Data{Variable: "t", Value: []float64{1}}, "points[2].value"},
		{"pointer", Data{Variable: "t", Value: Ptr(1.5)}, "points[2].value"},
		{"huge int", Data{Variable: "t", Value: int64(1<<53 + 1)}, "points[2].value"},
		{"huge uint", Data{Variable: "t", Value: uint64(math.MaxUint64)}, "points[2].value"},
		{"bad json.Number", Data{Variable: "t", Value: json.Number("12abc")}, "points[2].value"},
		{"json.Number out of range", Data{Variable: "t", Value: json.Number("1e400")}, "points[2].value"},
		{"latitude", Data{Variable: "t", Location: &Location{Lat: 90.5, Lng: 0}}, "points[2].location.lat"},
		{"longitude", Data{Variable: "t", Location: &Location{Lat: 0, Lng: -180.1}}, "points[2].location.lng"},
		{"NaN latitude", Data{Variable: "t", Location: &Location{Lat: math.NaN()}}, "points[2].location.lat"},
		{"metadata", Data{Variable: "t", Metadata: map[string]any{"c": make(chan int)}}, "points[2].metadata"},
		{"metadata NaN", Data{Variable: "t", Metadata: map[string]any{"x": math.NaN()}}, "points[2].metadata"},
		{"time", Data{Variable: "t", Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "points[2].time"},
		{"string value over 6 kB", Data{Variable: "t", Value: strings.Repeat("x", maxValueBytes+1)}, "points[2].value"},
		{"named string over 6 kB", Data{Variable: "t", Value: label(strings.Repeat("é", maxValueBytes/2+1))}, "points[2].value"},
		{"invalid UTF-8 grows past 6 kB", Data{Variable: "t", Value: strings.Repeat("\xff", maxValueBytes/3+1)}, "points[2].value"},
		{"space in variable", Data{Variable: "flow rate", Value: 1}, "points[2].variable"},
		{"tab in variable", Data{Variable: "flow\trate", Value: 1}, "points[2].variable"},
		{"no-break space in variable", Data{Variable: "flow\u00a0rate", Value: 1}, "points[2].variable"},
		{"* in variable", Data{Variable: "a*", Value: 1}, "points[2].variable"},
		{"? in variable", Data{Variable: "a?", Value: 1}, "points[2].variable"},
		{"! in variable", Data{Variable: "a!", Value: 1}, "points[2].variable"},
		{"< in variable", Data{Variable: "a<b", Value: 1}, "points[2].variable"},
		{"> in variable", Data{Variable: "a>b", Value: 1}, "points[2].variable"},
		{". in variable", Data{Variable: "a.b", Value: 1}, "points[2].variable"},
		{"- in variable", Data{Variable: "a-b", Value: 1}, "points[2].variable"},
		{"= in variable", Data{Variable: "a=b", Value: 1}, "points[2].variable"},
		{"$ in variable", Data{Variable: "$a", Value: 1}, "points[2].variable"},
		{"long variable in characters", Data{Variable: strings.Repeat("é", 101), Value: 1}, "points[2].variable"},
		{"long unit", Data{Variable: "t", Unit: strings.Repeat("u", 26)}, "points[2].unit"},
		{"long unit in characters", Data{Variable: "t", Unit: strings.Repeat("°", 26)}, "points[2].unit"},
		{"long group", Data{Variable: "t", Group: strings.Repeat("g", 101)}, "points[2].group"},
		{"long serie", Data{Variable: "t", Serie: strings.Repeat("s", 101)}, "points[2].serie"},
		{"metadata over 10 kB", Data{Variable: "t", Metadata: map[string]any{"note": strings.Repeat("m", maxMetadataBytes)}}, "points[2].metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := deviceClient(t)
			catchAll(mt)
			points := []Data{{Variable: "ok", Value: 1}, {Variable: "ok", Value: 2}, tc.point, {Variable: "ok", Value: 3}}
			n, err := c.Data.Send(t.Context(), points...)
			assert.Zero(t, n)
			require.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.Zero(t, mt.GetTotalCallCount(), "nothing is sent when a batch holds a bad point")

			// ValidateData refuses the same point with the same error.
			verr := ValidateData(points...)
			require.ErrorIs(t, verr, ErrInvalidInput)
			assert.Equal(t, err.Error(), verr.Error())
		})
	}
	require.NoError(t, ValidateData(Data{Variable: "ok", Value: 1}, Data{Variable: "ok", Value: "text"}))
	require.NoError(t, ValidateData())
	// The limits themselves are allowed.
	require.NoError(t, ValidateData(Data{
		Variable: "Upper_Case_" + strings.Repeat("é", 89),
		Value:    strings.Repeat("x", maxValueBytes),
		Unit:     strings.Repeat("°", 25),
		Group:    strings.Repeat("g", 100),
		Serie:    strings.Repeat("s", 100),
		Metadata: map[string]any{"n": strings.Repeat("m", maxMetadataBytes-len(`{"n":""}`))},
	}))
}

// TestSendValidatesEveryPointFirst checks that one bad point anywhere in a large Send
// fails it before the first request: nothing of the batches before it is stored.
func TestSendValidatesEveryPointFirst(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	catchAll(mt)
	points := make([]Data, 9000)
	for i := range points {
		points[i] = Data{Variable: "temperature", Value: float64(i) / 10, Unit: "°C", Group: "g", Time: time.Unix(int64(i), 0)}
	}
	points[8000].Variable = "flow rate"
	n, err := c.Data.Send(t.Context(), points...)
	assert.Zero(t, n)
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "points[8000].variable", ie.Field)
	assert.Zero(t, mt.GetTotalCallCount(), "no batch is sent when any point is bad")
}

func TestBadQueryAndArgumentsSendNothing(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		call  func(ctx context.Context, c *Client) error
		field string
	}{
		{"negative qty", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Qty: -1})
			return err
		}, "qty"},
		{"negative skip", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Skip: -5})
			return err
		}, "skip"},
		{"empty variable", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Variables: []string{"a", ""}})
			return err
		}, "variables[1]"},
		{"empty id", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{IDs: []string{""}})
			return err
		}, "ids[0]"},
		{"bad value filter", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Values: []any{1, struct{}{}}})
			return err
		}, "values[1]"},
		{"NaN value filter", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Values: []any{math.NaN()}})
			return err
		}, "values[0]"},
		{"unknown query", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Query: "latest"})
			return err
		}, "query"},
		{"unknown ordination", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Ordination: "up"})
			return err
		}, "ordination"},
		{"end before start", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{StartDate: start, EndDate: start.Add(-time.Hour)})
			return err
		}, "end date"},
		{"count through Get", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Query: QueryCount})
			return err
		}, "query"},
		{"avg without start", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Summarize(ctx, &DataQuery{Query: QueryAvg})
			return err
		}, "start date"},
		{"aggregate without interval", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Query: QueryAggregate, Function: FuncAvg})
			return err
		}, "interval"},
		{"aggregate with comparison", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Query: QueryAggregate, Interval: IntervalDay, Function: FuncGT})
			return err
		}, "function"},
		{"interval without aggregate", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Interval: IntervalDay})
			return err
		}, "interval"},
		{"conditional without threshold", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Query: QueryConditional, Function: FuncGT, StartDate: start})
			return err
		}, "threshold"},
		{"conditional NaN threshold", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Query: QueryConditional, Function: FuncGT, StartDate: start, Threshold: Ptr(math.NaN())})
			return err
		}, "threshold"},
		{"threshold without conditional", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Get(ctx, &DataQuery{Threshold: Ptr(1.0)})
			return err
		}, "threshold"},
		{"summarize nil", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Summarize(ctx, nil)
			return err
		}, "query"},
		{"summarize listing", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Summarize(ctx, &DataQuery{Query: QueryLastValue})
			return err
		}, "query"},
		{"count other kind", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Count(ctx, &DataQuery{Query: QueryMax})
			return err
		}, "query"},
		{"delete nil", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Delete(ctx, nil)
			return err
		}, "query"},
		{"delete aggregate", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Delete(ctx, &DataQuery{Query: QueryAggregate, Interval: IntervalDay, Function: FuncSum})
			return err
		}, "query"},
		{"stream last value", func(ctx context.Context, c *Client) error {
			for _, err := range c.Data.Stream(ctx, &DataQuery{Query: QueryLastValue}) {
				return err
			}
			return nil
		}, "query"},
		{"stream page too big", func(ctx context.Context, c *Client) error {
			for _, err := range c.Data.Stream(ctx, &DataQuery{Qty: 10_001}) {
				return err
			}
			return nil
		}, "qty"},
		{"edit without id", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Edit(ctx, DataEdit{ID: testDeviceID, Value: 1}, DataEdit{Value: 2})
			return err
		}, "edits[1].id"},
		{"edit changing nothing", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Edit(ctx, DataEdit{ID: testDeviceID})
			return err
		}, "edits[0]"},
		{"edit bad value", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Edit(ctx, DataEdit{ID: testDeviceID, Value: math.NaN()})
			return err
		}, "edits[0].value"},
		{"edit long string value", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Edit(ctx, DataEdit{ID: testDeviceID, Value: strings.Repeat("x", maxValueBytes+1)})
			return err
		}, "edits[0].value"},
		{"edit long unit", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Edit(ctx, DataEdit{ID: testDeviceID, Unit: Ptr(strings.Repeat("u", 26))})
			return err
		}, "edits[0].unit"},
		{"edit long group", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Edit(ctx, DataEdit{ID: testDeviceID, Group: Ptr(strings.Repeat("g", 101))})
			return err
		}, "edits[0].group"},
		{"edit large metadata", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Edit(ctx, DataEdit{ID: testDeviceID, Metadata: map[string]any{"n": strings.Repeat("m", maxMetadataBytes)}})
			return err
		}, "edits[0].metadata"},
		{"edit bad location", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Edit(ctx, DataEdit{ID: testDeviceID, Location: &Location{Lat: -91}})
			return err
		}, "edits[0].location.lat"},
		{"bad param ID", func(ctx context.Context, c *Client) error {
			return c.Data.MarkParamRead(ctx, "param-1")
		}, "param ID"},
		{"bad param filter", func(ctx context.Context, c *Client) error {
			_, err := c.Data.Params(ctx, ParamFilter(7))
			return err
		}, "param filter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := deviceClient(t)
			catchAll(mt)
			err := tc.call(t.Context(), c)
			require.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

// dataOps calls every data operation once, returning its error.
var dataOps = map[string]func(ctx context.Context, s *DataService) error{
	"Send": func(ctx context.Context, s *DataService) error {
		_, err := s.Send(ctx, Data{Variable: "t", Value: 1})
		return err
	},
	"Edit": func(ctx context.Context, s *DataService) error {
		_, err := s.Edit(ctx, DataEdit{ID: testDeviceID, Value: 1})
		return err
	},
	"Get": func(ctx context.Context, s *DataService) error {
		_, err := s.Get(ctx, nil)
		return err
	},
	"Stream": func(ctx context.Context, s *DataService) error {
		for _, err := range s.Stream(ctx, nil) {
			return err
		}
		return errors.New("Stream yielded nothing")
	},
	"Count": func(ctx context.Context, s *DataService) error {
		_, err := s.Count(ctx, nil)
		return err
	},
	"Summarize": func(ctx context.Context, s *DataService) error {
		_, err := s.Summarize(ctx, &DataQuery{Query: QueryMax})
		return err
	},
	"Delete": func(ctx context.Context, s *DataService) error {
		_, err := s.Delete(ctx, &DataQuery{Query: QueryLastItem})
		return err
	},
	"Info": func(ctx context.Context, s *DataService) error {
		_, err := s.Info(ctx)
		return err
	},
	"Params": func(ctx context.Context, s *DataService) error {
		_, err := s.Params(ctx, ParamsAll)
		return err
	},
	"MarkParamRead": func(ctx context.Context, s *DataService) error {
		return s.MarkParamRead(ctx, "65a1b2c3d4e5f6071829aaaa")
	},
}

func TestDataTokenKinds(t *testing.T) {
	t.Parallel()
	for name, op := range dataOps {
		t.Run(name+"/device form with account token", func(t *testing.T) {
			t.Parallel()
			c, mt := accountClient(t)
			catchAll(mt)
			err := op(t.Context(), c.Data)
			require.ErrorIs(t, err, ErrTokenKind)
			assert.Contains(t, err.Error(), "needs a device token; the client holds an account token")
			assert.Zero(t, mt.GetTotalCallCount())
		})
		t.Run(name+"/account form with device token", func(t *testing.T) {
			t.Parallel()
			c, mt := deviceClient(t)
			catchAll(mt)
			err := op(t.Context(), c.Devices.Data(testDeviceID))
			require.ErrorIs(t, err, ErrTokenKind)
			assert.Contains(t, err.Error(), "needs an account token; the client holds a device token")
			assert.Zero(t, mt.GetTotalCallCount())
		})
		t.Run(name+"/invalid device ID", func(t *testing.T) {
			t.Parallel()
			c, mt := accountClient(t)
			catchAll(mt)
			err := op(t.Context(), c.Devices.Data("not-a-device"))
			require.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, "device ID", ie.Field)
			assert.Zero(t, mt.GetTotalCallCount())
		})
		t.Run(name+"/nil service", func(t *testing.T) {
			t.Parallel()
			var s *DataService
			assert.ErrorIs(t, op(t.Context(), s), errNilClient)
			var c Client // not made by NewClient
			assert.ErrorIs(t, op(t.Context(), c.Data), errNilClient)
			assert.ErrorIs(t, op(t.Context(), c.Devices.Data(testDeviceID)), errNilClient)
		})
	}
}

// sampleRecords is a platform answer with every field and both location forms.
const sampleRecords = `[
	{"id":"65a1b2c3d4e5f6071829aaa1","device":"` + testDeviceID + `","variable":"temperature","value":21.5,"unit":"°C",
	 "group":"1704164645000","time":"2024-01-02T03:04:05.000Z","created_at":"2024-01-02T03:04:06.123Z",
	 "location":{"type":"Point","coordinates":[-85.628292,42.2974279]},"metadata":{"color":"red","icon":"car"}},
	{"id":"65a1b2c3d4e5f6071829aaa2","origin":"` + testDeviceID + `","variable":"status","value":"ok","serie":"s1",
	 "time":"2024-01-02T03:04:05Z","location":{"lat":-23.5,"lng":-46.6}},
	{"id":"65a1b2c3d4e5f6071829aaa3","device":"` + testDeviceID + `","variable":"door","value":true,"time":"2024-01-02T04:04:05.5+01:00","bucket":"legacy"},
	{"id":"65a1b2c3d4e5f6071829aaa4","device":"` + testDeviceID + `","variable":"empty","value":null,"time":"2024-01-02T03:04:05.000Z","location":null,"metadata":null}
]`

// sampleWant is sampleRecords decoded.
func sampleWant() []Data {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	return []Data{
		{ID: "65a1b2c3d4e5f6071829aaa1", Device: testDeviceID, Variable: "temperature", Value: 21.5, Unit: "°C",
			Group: "1704164645000", Time: at, CreatedAt: at.Add(1123 * time.Millisecond),
			Location: &Location{Lat: 42.2974279, Lng: -85.628292}, Metadata: map[string]any{"color": "red", "icon": "car"}},
		{ID: "65a1b2c3d4e5f6071829aaa2", Device: testDeviceID, Variable: "status", Value: "ok", Serie: "s1", Time: at,
			Location: &Location{Lat: -23.5, Lng: -46.6}},
		{ID: "65a1b2c3d4e5f6071829aaa3", Device: testDeviceID, Variable: "door", Value: true,
			Time: time.Date(2024, 1, 2, 4, 4, 5, 500_000_000, time.FixedZone("", 3600))},
		{ID: "65a1b2c3d4e5f6071829aaa4", Device: testDeviceID, Variable: "empty", Time: at},
	}
}

// assertSameData compares records, times by instant.
func assertSameData(t *testing.T, want, got []Data) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		w, g := want[i], got[i]
		assert.True(t, w.Time.Equal(g.Time), "record %d time: want %v, got %v", i, w.Time, g.Time)
		assert.True(t, w.CreatedAt.Equal(g.CreatedAt), "record %d created_at: want %v, got %v", i, w.CreatedAt, g.CreatedAt)
		w.Time, g.Time, w.CreatedAt, g.CreatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		assert.Equal(t, w, g, "record %d", i)
	}
}

func TestDataGetDefault(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := expect(mt, "GET", "/data", 200, `{"status":true,"result":`+sampleRecords+`}`)

	got, err := c.Data.Get(t.Context(), nil)
	require.NoError(t, err)
	assertSameData(t, sampleWant(), got)

	req := rec.last(t)
	assert.Equal(t, "GET", req.Method)
	assert.Equal(t, "/data", req.Path)
	assert.Empty(t, req.Query, "a nil query sends the platform's defaults")
	assertDeviceToken(t, req)
	assert.Empty(t, req.Body)

	assert.Equal(t, ValueNumber, got[0].ValueKind())
	f, ok := got[0].Float()
	assert.True(t, ok)
	assert.Equal(t, 21.5, f)
	s, ok := got[1].Text()
	assert.True(t, ok)
	assert.Equal(t, "ok", s)
	b, ok := got[2].Bool()
	assert.True(t, ok)
	assert.True(t, b)
	assert.Equal(t, ValueNull, got[3].ValueKind())
}

func TestDataGetAccountToken(t *testing.T) {
	t.Parallel()
	c, mt := accountClient(t)
	rec := expect(mt, "GET", "/device/"+testDeviceID+"/data", 200, `{"status":true,"result":`+sampleRecords+`}`)

	got, err := c.Devices.Data(testDeviceID).Get(t.Context(), &DataQuery{Variables: []string{"temperature"}, Qty: 4})
	require.NoError(t, err)
	assertSameData(t, sampleWant(), got)
	req := rec.last(t)
	assert.Equal(t, "/device/"+testDeviceID+"/data", req.Path)
	assert.Equal(t, "variables[0]=temperature&qty=4", req.Query)
	assertAccountToken(t, req)
}

func TestDataGetEmptyAndNull(t *testing.T) {
	t.Parallel()
	for _, result := range []string{`[]`, `null`} {
		c, mt := deviceClient(t)
		expect(mt, "GET", "/data", 200, `{"status":true,"result":`+result+`}`)
		got, err := c.Data.Get(t.Context(), nil)
		require.NoError(t, err, result)
		assert.Empty(t, got, result)
	}
}

func TestDataGetEnvelopeAfterTheRecords(t *testing.T) {
	t.Parallel()
	// Keys after a large result: the records are decoded once more from the full scan.
	c, mt := deviceClient(t)
	expect(mt, "GET", "/data", 200, `{"status":true,"result":[{"variable":"a","value":1}],"message":"slow query"}`)
	got, err := c.Data.Get(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "a", got[0].Variable)

	c, mt = deviceClient(t)
	expect(mt, "GET", "/data", 200, `{"status":true,"result":[{"variable":"a","value":1}],"status":false,"message":"query aborted"}`)
	got, err = c.Data.Get(t.Context(), nil)
	assert.Nil(t, got)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "tago: GET /data: 200 query aborted", err.Error())
}

// TestForeignRecordNeverBreaksARead checks that records other clients stored, which
// the SDK would not write (TagoCore accepts metadata [1, {"a": 2}]; values may be
// objects), are read leniently: what does not fit a typed field is kept raw, and every
// other record of the answer is read as usual, by Get and by Stream.
func TestForeignRecordNeverBreaksARead(t *testing.T) {
	t.Parallel()
	body := `{"status":true,"result":[
		{"id":"65a1b2c3d4e5f6071829aaa1","variable":"a","value":1,"time":"2024-01-02T03:04:05.000Z"},
		{"id":"65a1b2c3d4e5f6071829aaa2","variable":"b","value":{"x":1},"metadata":[1, {"a": 2}],"serie":7,"type":"object"},
		{"id":"65a1b2c3d4e5f6071829aaa3","variable":"c","value":"ok","location":[2,1],"time":1704164645,"created_at":"yesterday"}]}`
	want := []Data{
		{ID: "65a1b2c3d4e5f6071829aaa1", Variable: "a", Value: 1.0, Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{ID: "65a1b2c3d4e5f6071829aaa2", Variable: "b", Value: json.RawMessage(`{"x":1}`),
			Extra: map[string]json.RawMessage{"metadata": json.RawMessage(`[1, {"a": 2}]`), "serie": json.RawMessage(`7`)}},
		{ID: "65a1b2c3d4e5f6071829aaa3", Variable: "c", Value: "ok",
			Extra: map[string]json.RawMessage{"location": json.RawMessage(`[2,1]`), "time": json.RawMessage(`1704164645`), "created_at": json.RawMessage(`"yesterday"`)}},
	}
	c, mt := deviceClient(t)
	expect(mt, "GET", "/data", 200, body)
	got, err := c.Data.Get(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	var streamed []Data
	for d, err := range c.Data.Stream(t.Context(), nil) {
		require.NoError(t, err)
		streamed = append(streamed, d)
	}
	assert.Equal(t, want, streamed)

	// Writing stays strict: the foreign value cannot be sent back.
	_, err = c.Data.Send(t.Context(), got[1])
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "points[0].value", ie.Field)
	assert.Equal(t, 2, mt.GetTotalCallCount())

	// Broken JSON is still an error.
	c, mt = deviceClient(t)
	expect(mt, "GET", "/data", 200, `{"status":true,"result":[{"variable":"a","value":{"x":}}]}`)
	got, err = c.Data.Get(t.Context(), nil)
	assert.Nil(t, got)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, err.Error(), "data[0].value")
}

func TestDataQueryEncoding(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	end := time.Date(2024, 1, 3, 0, 0, 0, 0, time.FixedZone("BRT", -3*3600))
	for _, tc := range []struct {
		name string
		q    *DataQuery
		want string
	}{
		{"nil", nil, ""},
		{"zero", &DataQuery{}, ""},
		{"last value of two variables", &DataQuery{Variables: []string{"a", "b"}, Qty: 10, Query: QueryLastValue},
			"variables[0]=a&variables[1]=b&qty=10&query=last_value"},
		{"groups", &DataQuery{Groups: []string{"g1", "g 2"}}, "groups[0]=g1&groups[1]=g 2"},
		{"series", &DataQuery{Series: []string{"s1"}}, "series[0]=s1"},
		{"ids ask for all of them", &DataQuery{IDs: []string{"65a1b2c3d4e5f6071829aaa1"}}, "ids[0]=65a1b2c3d4e5f6071829aaa1&qty=1"},
		{"ids with a qty", &DataQuery{IDs: []string{"65a1b2c3d4e5f6071829aaa1", "65a1b2c3d4e5f6071829aaa2"}, Qty: 1}, "ids[0]=65a1b2c3d4e5f6071829aaa1&ids[1]=65a1b2c3d4e5f6071829aaa2&qty=1"},
		{"values", &DataQuery{Values: []any{21.5, 3, "on", true, json.Number("7"), celsius(1.25), uint8(9)}},
			"values[0]=21.5&values[1]=3&values[2]=on&values[3]=true&values[4]=7&values[5]=1.25&values[6]=9"},
		{"origins", &DataQuery{Origins: []string{testDeviceID}}, "origins[0]=" + testDeviceID},
		{"dates", &DataQuery{StartDate: start, EndDate: end}, "start_date=2024-01-02T03:04:05.000Z&end_date=2024-01-03T03:00:00.000Z"},
		{"paging", &DataQuery{Qty: 100, Skip: 200, Ordination: OrdinationAscending}, "qty=100&skip=200&ordination=ascending"},
		{"descending is the default, never sent", &DataQuery{Ordination: OrdinationDescending, Qty: 5}, "qty=5"},
		{"details", &DataQuery{Details: true}, "details=true"},
		{"first item", &DataQuery{Query: QueryFirstItem}, "query=first_item"},
		{"last location", &DataQuery{Query: QueryLastLocation}, "query=last_location"},
		{"min", &DataQuery{Query: QueryMin, Variables: []string{"t"}}, "variables[0]=t&query=min"},
		{"aggregate", &DataQuery{Query: QueryAggregate, Variables: []string{"t"}, StartDate: start, Interval: IntervalHour, Function: FuncAvg},
			"variables[0]=t&start_date=2024-01-02T03:04:05.000Z&query=aggregate&interval=hour&function=avg"},
		{"conditional", &DataQuery{Query: QueryConditional, StartDate: start, Function: FuncGTE, Threshold: Ptr(25.5)},
			"start_date=2024-01-02T03:04:05.000Z&query=conditional&function=gte&value=25.5"},
		{"everything", &DataQuery{Variables: []string{"t"}, Groups: []string{"g"}, Series: []string{"s"}, IDs: []string{"i"},
			Values: []any{1}, Origins: []string{"o"}, StartDate: start, EndDate: start.Add(time.Hour), Qty: 5, Skip: 1,
			Ordination: OrdinationAscending, Details: true, Query: QueryLastItem},
			"variables[0]=t&groups[0]=g&series[0]=s&ids[0]=i&values[0]=1&origins[0]=o&start_date=2024-01-02T03:04:05.000Z" +
				"&end_date=2024-01-02T04:04:05.000Z&qty=5&skip=1&ordination=ascending&details=true&query=last_item"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := deviceClient(t)
			rec := expect(mt, "GET", "/data", 200, `{"status":true,"result":[]}`)
			_, err := c.Data.Get(t.Context(), tc.q)
			require.NoError(t, err)
			assert.Equal(t, tc.want, rec.last(t).Query)
		})
	}
}

// TestDescendingIsNeverSent checks that the default ordination is left to the platform
// in every query that takes one (TagoCore refuses ordination=descending), and that
// ascending is sent.
func TestDescendingIsNeverSent(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	get := expect(mt, "GET", "/data", 200, `{"status":true,"result":[]}`)
	del := expect(mt, "DELETE", "/data", 200, `{"status":true,"result":"0 Data Removed"}`)
	desc := &DataQuery{Variables: []string{"t"}, Ordination: OrdinationDescending}
	_, err := c.Data.Get(t.Context(), desc)
	require.NoError(t, err)
	assert.Equal(t, "variables[0]=t", get.last(t).Query)
	_, err = c.Data.Delete(t.Context(), desc)
	require.NoError(t, err)
	assert.Equal(t, "variables[0]=t", del.last(t).Query)
	for _, err := range c.Data.Stream(t.Context(), desc) {
		require.NoError(t, err)
	}
	assert.Equal(t, "variables[0]=t&qty=1000", get.last(t).Query)
	for _, err := range c.Data.Stream(t.Context(), &DataQuery{Variables: []string{"t"}}) {
		require.NoError(t, err)
	}
	assert.Equal(t, "variables[0]=t&qty=1000&ordination=ascending", get.last(t).Query)
}

// TestNullValueIsSent checks that tago.Null sends an explicit JSON null: a record
// without a value on Send, a cleared value on Edit (where nil leaves it unchanged).
func TestNullValueIsSent(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	post := expect(mt, "POST", "/data", 200, `{"status":true,"result":"2 Data Added"}`)
	put := expect(mt, "PUT", "/data", 200, `{"status":true,"result":"1 item(s) updated"}`)
	_, err := c.Data.Send(t.Context(), Data{Variable: "a", Value: Null, Unit: "V"}, Data{Variable: "b"})
	require.NoError(t, err)
	assert.Equal(t, `[{"variable":"a","value":null,"unit":"V"},{"variable":"b"}]`, string(post.last(t).Body))
	_, err = c.Data.Edit(t.Context(), DataEdit{ID: "65a1b2c3d4e5f6071829aaa1", Value: Null})
	require.NoError(t, err)
	assert.Equal(t, `[{"id":"65a1b2c3d4e5f6071829aaa1","value":null}]`, string(put.last(t).Body))
	require.NoError(t, ValidateData(Data{Variable: "a", Value: Null}))

	d := Data{Variable: "a", Value: Null}
	assert.Equal(t, ValueNull, d.ValueKind())
	_, isFloat := d.Float()
	_, isText := d.Text()
	_, isBool := d.Bool()
	assert.False(t, isFloat || isText || isBool)
	b, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, `{"variable":"a","value":null}`, string(b))
	// A null value filter means nothing: it is refused.
	_, err = c.Data.Get(t.Context(), &DataQuery{Values: []any{Null}})
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestDataQueryEncodedBytes(t *testing.T) {
	t.Parallel()
	qs, err := (&DataQuery{Variables: []string{"a", "b"}, Qty: 10, Query: QueryLastValue}).build(opGet)
	require.NoError(t, err)
	assert.Equal(t, "variables%5B0%5D=a&variables%5B1%5D=b&qty=10&query=last_value", qs.encode())
}

func TestDataQueryNeverMutated(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	expect(mt, "GET", "/data", 200, `{"status":true,"result":[]}`)
	expect(mt, "DELETE", "/data", 200, `{"status":true,"result":"0 Data Removed"}`)

	q := &DataQuery{Variables: []string{"a"}, Values: []any{1}, Qty: 2, Skip: 3}
	before := *q
	before.Variables = append([]string(nil), q.Variables...)
	before.Values = append([]any(nil), q.Values...)

	_, err := c.Data.Get(t.Context(), q)
	require.NoError(t, err)
	for _, err := range c.Data.Stream(t.Context(), q) {
		require.NoError(t, err)
	}
	_, err = c.Data.Delete(t.Context(), q)
	require.NoError(t, err)
	_, _ = c.Data.Count(t.Context(), q)
	assert.Equal(t, before, *q)
}

func TestDataCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		result string
		want   int
		err    string
	}{
		{`42`, 42, ""},
		{`null`, 0, ""},
		{`[]`, 0, ""},
		{`[{"variable":"a","value":3},{"variable":"b","value":4}]`, 7, ""},
		{`[{"variable":"a","value":"3"}]`, 0, "data[0].value: a summary must be a number, got string"},
		{`2.5`, 0, "count 2.5 is not a whole number"},
		{`"many"`, 0, "expected an array of data records"},
	} {
		c, mt := deviceClient(t)
		rec := expect(mt, "GET", "/data", 200, `{"status":true,"result":`+tc.result+`}`)
		n, err := c.Data.Count(t.Context(), &DataQuery{Variables: []string{"temperature"}})
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.result)
			continue
		}
		require.NoError(t, err, tc.result)
		assert.Equal(t, tc.want, n, tc.result)
		req := rec.last(t)
		assert.Equal(t, "variables[0]=temperature&query=count", req.Query)
		assertDeviceToken(t, req)
	}
}

func TestDataSummarize(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

	c, mt := deviceClient(t)
	rec := expect(mt, "GET", "/data", 200, `{"status":true,"result":95.92}`)
	sums, err := c.Data.Summarize(t.Context(), &DataQuery{Query: QueryAvg, Variables: []string{"wind"}, StartDate: start})
	require.NoError(t, err)
	assert.Equal(t, []Summary{{Value: 95.92}}, sums)
	assert.Equal(t, "variables[0]=wind&start_date=2024-01-01T00:00:00.000Z&query=avg", rec.last(t).Query)

	c, mt = deviceClient(t)
	expect(mt, "GET", "/data", 200, `{"status":true,"result":null}`)
	sums, err = c.Data.Summarize(t.Context(), &DataQuery{Query: QuerySum, StartDate: start})
	require.NoError(t, err)
	assert.Empty(t, sums, "no matching records")

	c, mt = accountClient(t)
	rec = expect(mt, "GET", "/device/"+testDeviceID+"/data", 200,
		`{"status":true,"result":[{"id":"65a1b2c3d4e5f6071829aaa1","variable":"t","value":-4.5,"time":"2024-01-01T06:00:00.000Z"}]}`)
	sums, err = c.Devices.Data(testDeviceID).Summarize(t.Context(), &DataQuery{Query: QueryMin, Variables: []string{"t"}})
	require.NoError(t, err)
	require.Len(t, sums, 1)
	assert.Equal(t, -4.5, sums[0].Value)
	assert.Equal(t, "t", sums[0].Variable)
	require.NotNil(t, sums[0].Record)
	assert.Equal(t, "65a1b2c3d4e5f6071829aaa1", sums[0].Record.ID)
	assert.Equal(t, time.Date(2024, 1, 1, 6, 0, 0, 0, time.UTC), sums[0].Record.Time)
	assert.Equal(t, "variables[0]=t&query=min", rec.last(t).Query)
	assertAccountToken(t, rec.last(t))
}

func TestDataAggregateIsTyped(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	expect(mt, "GET", "/data", 200, `{"status":true,"result":[
		{"variable":"t","value":20.25,"time":"2024-01-01T00:00:00.000Z"},
		{"variable":"t","value":21,"time":"2024-01-01T01:00:00.000Z"}]}`)
	got, err := c.Data.Get(t.Context(), &DataQuery{Query: QueryAggregate, Variables: []string{"t"}, Interval: IntervalHour, Function: FuncAvg})
	require.NoError(t, err)
	require.Len(t, got, 2)
	for i, want := range []float64{20.25, 21} {
		f, ok := got[i].Float()
		assert.True(t, ok)
		assert.Equal(t, want, f)
		assert.IsType(t, float64(0), got[i].Value)
	}
}

func TestDataEdit(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := expect(mt, "PUT", "/data", 200, `{"status":true,"result":"2 item(s) updated"}`)

	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	n, err := c.Data.Edit(t.Context(),
		DataEdit{ID: "65a1b2c3d4e5f6071829aaa1", Value: 22.5, Unit: Ptr("°F"), Time: at},
		DataEdit{ID: "65a1b2c3d4e5f6071829aaa2", Group: Ptr(""), Location: &Location{Lat: 1, Lng: 2}, Metadata: map[string]any{"a": "b"}})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	req := rec.last(t)
	assert.Equal(t, "PUT", req.Method)
	assert.Equal(t, "/data", req.Path)
	assertDeviceToken(t, req)
	assert.JSONEq(t, `[
		{"id":"65a1b2c3d4e5f6071829aaa1","value":22.5,"unit":"°F","time":"2024-01-02T03:04:05.000Z"},
		{"id":"65a1b2c3d4e5f6071829aaa2","group":"","location":{"type":"Point","coordinates":[2,1]},"metadata":{"a":"b"}}
	]`, string(req.Body))

	c, mt = accountClient(t)
	rec = expect(mt, "PUT", "/device/"+testDeviceID+"/data", 200, `{"status":true,"result":"1 item(s) updated"}`)
	n, err = c.Devices.Data(testDeviceID).Edit(t.Context(), DataEdit{ID: "65a1b2c3d4e5f6071829aaa1", Value: "on"})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assertAccountToken(t, rec.last(t))
	assert.JSONEq(t, `[{"id":"65a1b2c3d4e5f6071829aaa1","value":"on"}]`, string(rec.last(t).Body))
}

func TestDataDelete(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := expect(mt, "DELETE", "/data", 200, `{"status":true,"result":"3 Data Removed"}`)

	n, err := c.Data.Delete(t.Context(), &DataQuery{Variables: []string{"temperature"}, Qty: 3})
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	req := rec.last(t)
	assert.Equal(t, "DELETE", req.Method)
	assert.Equal(t, "/data", req.Path)
	assert.Equal(t, "variables[0]=temperature&qty=3", req.Query)
	assertDeviceToken(t, req)
	assert.Empty(t, req.Body)

	c, mt = accountClient(t)
	rec = expect(mt, "DELETE", "/device/"+testDeviceID+"/data", 200, `{"status":true,"result":"1 Data Removed"}`)
	n, err = c.Devices.Data(testDeviceID).Delete(t.Context(), &DataQuery{Query: QueryLastItem})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, "query=last_item", rec.last(t).Query)
	assertAccountToken(t, rec.last(t))
}

func TestDataDeleteReplay(t *testing.T) {
	t.Parallel()
	ids := []string{"65a1b2c3d4e5f6071829aaa1", "65a1b2c3d4e5f6071829aaa2"}
	for _, tc := range []struct {
		name     string
		q        *DataQuery
		attempts int
	}{
		{"newest records are deleted once", &DataQuery{Variables: []string{"t"}}, 1},
		{"last item is deleted once", &DataQuery{Query: QueryLastItem}, 1},
		{"ids with a smaller qty are deleted once", &DataQuery{IDs: ids, Qty: 1}, 1},
		{"ids with a skip are deleted once", &DataQuery{IDs: ids, Skip: 1}, 1},
		{"ids only may be retried", &DataQuery{IDs: ids}, 4},
		{"ids within qty may be retried", &DataQuery{IDs: ids, Qty: 2, Variables: []string{"t"}}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := deviceClient(t)
			rec := expectSeq(mt, "DELETE", "/data", reply(502, `<html>Bad Gateway</html>`))
			_, err := c.Data.Delete(t.Context(), tc.q)
			require.ErrorIs(t, err, ErrServer)
			assert.Equal(t, tc.attempts, rec.count())
		})
	}
}

// pageBody answers a paged GET /data from total generated records, honouring qty
// and skip like the platform.
func pageBody(r *http.Request, total int) []byte {
	qty, err := strconv.Atoi(r.URL.Query().Get("qty"))
	if err != nil {
		qty = platformDefaultQty
	}
	skip, _ := strconv.Atoi(r.URL.Query().Get("skip"))
	from, to := min(skip, total), min(skip+qty, total)
	b := append([]byte(`{"status":true,"result":[`), appendRecords(nil, from, to-from)...)
	return append(b, "]}"...)
}

// pageAnswer is pageBody as an httpmock answer.
func pageAnswer(total int) func(r *http.Request) (*http.Response, error) {
	return func(r *http.Request) (*http.Response, error) {
		return httpmock.NewBytesResponse(200, pageBody(r, total)), nil
	}
}

func TestDataStreamPages(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := &capture{}
	answer := pageAnswer(5)
	mt.RegisterResponder("GET", testBaseURL+"/data", func(r *http.Request) (*http.Response, error) {
		rec.record(r)
		return answer(r)
	})

	var ids []string
	for d, err := range c.Data.Stream(t.Context(), &DataQuery{Variables: []string{"temperature"}, Qty: 2}) {
		require.NoError(t, err)
		ids = append(ids, d.ID)
	}
	want := make([]string, 5)
	for i := range want {
		want[i] = fmt.Sprintf("65a1b2c3%016x", 0xd4e5f60718290000+uint64(i))
	}
	assert.Equal(t, want, ids)

	var queries []string
	for _, r := range rec.all() {
		queries = append(queries, r.Query)
		assertDeviceToken(t, r)
		assert.Equal(t, "/data", r.Path)
	}
	assert.Equal(t, []string{
		"variables[0]=temperature&qty=2&ordination=ascending",
		"variables[0]=temperature&qty=2&skip=2&ordination=ascending",
		"variables[0]=temperature&qty=2&skip=4&ordination=ascending",
	}, queries, "pages until one comes back short")
}

func TestDataStreamOptionsAndAccountForm(t *testing.T) {
	t.Parallel()
	c, mt := accountClient(t)
	rec := &capture{}
	answer := pageAnswer(1000)
	mt.RegisterResponder("GET", testBaseURL+"/device/"+testDeviceID+"/data", func(r *http.Request) (*http.Response, error) {
		rec.record(r)
		return answer(r)
	})
	n := 0
	for _, err := range c.Devices.Data(testDeviceID).Stream(t.Context(), &DataQuery{Skip: 996, Ordination: OrdinationDescending}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 4, n)
	require.Equal(t, 1, rec.count())
	assert.Equal(t, "qty=1000&skip=996", rec.last(t).Query)
	assertAccountToken(t, rec.last(t))
}

func TestDataStreamStopsWhenCallerStops(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	rec := &capture{}
	answer := pageAnswer(100)
	mt.RegisterResponder("GET", testBaseURL+"/data", func(r *http.Request) (*http.Response, error) {
		rec.record(r)
		return answer(r)
	})
	n := 0
	for _, err := range c.Data.Stream(t.Context(), &DataQuery{Qty: 10}) {
		require.NoError(t, err)
		n++
		if n == 15 {
			break
		}
	}
	assert.Equal(t, 15, n)
	assert.Equal(t, 2, rec.count(), "no page is fetched past the one the caller stopped in")
}

func TestDataStreamError(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	two := append(append([]byte(`{"status":true,"result":[`), appendRecords(nil, 0, 2)...), "]}"...)
	rec := expectSeq(mt, "GET", "/data", reply(200, string(two)), reply(401, `{"status":false,"message":"Invalid token"}`))
	var got []Data
	var errs []error
	for d, err := range c.Data.Stream(t.Context(), &DataQuery{Qty: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, d)
	}
	assert.Len(t, got, 2)
	require.Len(t, errs, 1, "the error is yielded once")
	assert.ErrorIs(t, errs[0], ErrUnauthorized)
	assert.Equal(t, 2, rec.count())
}

func TestDataStreamNilContext(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	catchAll(mt)
	var noContext context.Context
	for _, err := range c.Data.Stream(noContext, nil) {
		assert.ErrorIs(t, err, ErrInvalidInput)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

// TestStreamBoundedMemory streams 100,000 records from a loopback server and checks
// that the live heap never grows by more than a fixed bound, far below what holding
// the records would take (about 30 MB): Stream holds at most two pages at a time.
func TestStreamBoundedMemory(t *testing.T) {
	const total = 100_000
	const bound = 4 << 20 // bytes; independent of total
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(pageBody(r, total))
	}))
	defer srv.Close()
	c, err := NewClient(DeviceToken(testDeviceToken), WithBaseURL(srv.URL))
	require.NoError(t, err)

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	var peak uint64
	n := 0
	for d, err := range c.Data.Stream(t.Context(), nil) {
		require.NoError(t, err)
		require.NotEmpty(t, d.ID)
		n++
		if n%10_000 == 0 {
			if h := heap(); h > base {
				peak = max(peak, h-base)
			}
		}
	}
	assert.Equal(t, total, n)
	t.Logf("heap growth while streaming %d records: at most %d KiB (bound %d KiB)", total, peak>>10, bound>>10)
	assert.Less(t, peak, uint64(bound))
}

func TestDataInfo(t *testing.T) {
	t.Parallel()
	const device = `{"id":"` + testDeviceID + `","name":"Gateway 7","active":true,"visible":true,"type":"mutable","created_at":"2024-01-02T03:04:05.000Z"}`

	c, mt := deviceClient(t)
	rec := expect(mt, "GET", "/info", 200, `{"status":true,"result":`+device+`}`)
	d, err := c.Data.Info(t.Context())
	require.NoError(t, err)
	assert.Equal(t, testDeviceID, d.ID)
	assert.Equal(t, "Gateway 7", d.Name)
	assert.Equal(t, DeviceMutable, d.Type)
	assert.True(t, d.Active)
	assert.Equal(t, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), d.CreatedAt.UTC())
	assert.Equal(t, "GET", rec.last(t).Method)
	assert.Empty(t, rec.last(t).Query)
	assertDeviceToken(t, rec.last(t))

	c, mt = accountClient(t)
	rec = expect(mt, "GET", "/device/"+testDeviceID, 200, `{"status":true,"result":`+device+`}`)
	d, err = c.Devices.Data(testDeviceID).Info(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "Gateway 7", d.Name)
	assertAccountToken(t, rec.last(t))
}

func TestDataParams(t *testing.T) {
	t.Parallel()
	const params = `[{"id":"65a1b2c3d4e5f6071829bbb1","key":"interval","value":"60","sent":false},{"id":"65a1b2c3d4e5f6071829bbb2","key":"mode","value":"eco","sent":true}]`
	want := []ConfigParam{
		{ID: "65a1b2c3d4e5f6071829bbb1", Key: "interval", Value: "60"},
		{ID: "65a1b2c3d4e5f6071829bbb2", Key: "mode", Value: "eco", Sent: true},
	}
	for _, tc := range []struct {
		filter ParamFilter
		query  string
	}{{ParamsAll, ""}, {ParamsRead, "sent_status=true"}, {ParamsUnread, "sent_status=false"}} {
		c, mt := deviceClient(t)
		rec := expect(mt, "GET", "/device/params", 200, `{"status":true,"result":`+params+`}`)
		got, err := c.Data.Params(t.Context(), tc.filter)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, tc.query, rec.last(t).Query)
		assertDeviceToken(t, rec.last(t))

		c, mt = accountClient(t)
		rec = expect(mt, "GET", "/device/"+testDeviceID+"/params", 200, `{"status":true,"result":`+params+`}`)
		got, err = c.Devices.Data(testDeviceID).Params(t.Context(), tc.filter)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, tc.query, rec.last(t).Query)
		assertAccountToken(t, rec.last(t))
	}
}

// TestMarkParamReadKeepsTheOthers checks that the account form writes back every
// parameter it read, the one marked read with sent = true, so that a server replacing
// the whole list on each write (TagoCore) keeps the others.
func TestMarkParamReadKeepsTheOthers(t *testing.T) {
	t.Parallel()
	const paramID = "65a1b2c3d4e5f6071829bbb1"
	c, mt := accountClient(t)
	expect(mt, "GET", "/device/"+testDeviceID+"/params", 200, `{"status":true,"result":[
		{"id":"65a1b2c3d4e5f6071829bbb0","key":"a","value":"1","sent":false},
		{"id":"`+paramID+`","key":"interval","value":"60","sent":false},
		{"id":"65a1b2c3d4e5f6071829bbb2","key":"mode","value":"eco","sent":true}]}`)
	set := expect(mt, "POST", "/device/"+testDeviceID+"/params", 201, `{"status":true,"result":"Params Successfully Updated"}`)
	require.NoError(t, c.Devices.Data(testDeviceID).MarkParamRead(t.Context(), paramID))
	assert.JSONEq(t, `[
		{"id":"65a1b2c3d4e5f6071829bbb0","key":"a","value":"1","sent":false},
		{"id":"`+paramID+`","key":"interval","value":"60","sent":true},
		{"id":"65a1b2c3d4e5f6071829bbb2","key":"mode","value":"eco","sent":true}]`, string(set.last(t).Body))
}

func TestDataMarkParamRead(t *testing.T) {
	t.Parallel()
	const paramID = "65a1b2c3d4e5f6071829bbb1"

	c, mt := deviceClient(t)
	rec := expect(mt, "PUT", "/device/params/"+paramID, 200, `{"status":true,"result":"Params Successfully Updated"}`)
	require.NoError(t, c.Data.MarkParamRead(t.Context(), paramID))
	req := rec.last(t)
	assert.Equal(t, "PUT", req.Method)
	assert.JSONEq(t, `{"sent":true}`, string(req.Body))
	assertDeviceToken(t, req)

	c, mt = accountClient(t)
	list := expect(mt, "GET", "/device/"+testDeviceID+"/params", 200,
		`{"status":true,"result":[{"id":"65a1b2c3d4e5f6071829bbb0","key":"a","value":"1","sent":false},{"id":"`+paramID+`","key":"interval","value":"60","sent":false}]}`)
	set := expect(mt, "POST", "/device/"+testDeviceID+"/params", 201, `{"status":true,"result":"Params Successfully Updated"}`)
	require.NoError(t, c.Devices.Data(testDeviceID).MarkParamRead(t.Context(), paramID))
	assert.Empty(t, list.last(t).Query)
	assertAccountToken(t, list.last(t))
	assert.JSONEq(t, `[{"id":"65a1b2c3d4e5f6071829bbb0","key":"a","value":"1","sent":false},{"id":"`+paramID+`","key":"interval","value":"60","sent":true}]`, string(set.last(t).Body))
	assertAccountToken(t, set.last(t))
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

func TestDataMarkParamReadNotFound(t *testing.T) {
	t.Parallel()
	c, mt := accountClient(t)
	expect(mt, "GET", "/device/"+testDeviceID+"/params", 200, `{"status":true,"result":[]}`)
	err := c.Devices.Data(testDeviceID).MarkParamRead(t.Context(), "65a1b2c3d4e5f6071829bbb9")
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, "tago: not found: device "+testDeviceID+" has no configuration parameter 65a1b2c3d4e5f6071829bbb9", err.Error())
	assert.Equal(t, 1, mt.GetTotalCallCount(), "nothing is written")
}

func TestDataErrorsNeverHoldTheToken(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	mt.RegisterResponder("POST", testBaseURL+"/data", httpmock.NewStringResponder(400,
		`{"status":false,"message":"token `+testDeviceToken+` is not allowed"}`))
	_, err := c.Data.Send(t.Context(), Data{Variable: "a", Value: 1})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testDeviceToken)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), testDeviceToken)
}

func TestValueKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v     any
		kind  ValueKind
		f     float64
		isF   bool
		s     string
		isS   bool
		b, bB bool
	}{
		{nil, ValueNull, 0, false, "", false, false, false},
		{21.5, ValueNumber, 21.5, true, "", false, false, false},
		{7, ValueNumber, 7, true, "", false, false, false},
		{uint8(3), ValueNumber, 3, true, "", false, false, false},
		{float32(0.5), ValueNumber, 0.5, true, "", false, false, false},
		{celsius(2.5), ValueNumber, 2.5, true, "", false, false, false},
		{json.Number("4.25"), ValueNumber, 4.25, true, "", false, false, false},
		{"on", ValueString, 0, false, "on", true, false, false},
		{label("x"), ValueString, 0, false, "x", true, false, false},
		{true, ValueBool, 0, false, "", false, true, true},
		{struct{}{}, ValueUnsupported, 0, false, "", false, false, false},
		{[]int{1}, ValueUnsupported, 0, false, "", false, false, false},
	} {
		d := Data{Value: tc.v}
		assert.Equal(t, tc.kind, d.ValueKind(), "%#v", tc.v)
		f, ok := d.Float()
		assert.Equal(t, tc.f, f, "%#v", tc.v)
		assert.Equal(t, tc.isF, ok, "%#v", tc.v)
		s, ok := d.Text()
		assert.Equal(t, tc.s, s, "%#v", tc.v)
		assert.Equal(t, tc.isS, ok, "%#v", tc.v)
		b, ok := d.Bool()
		assert.Equal(t, tc.b, b, "%#v", tc.v)
		assert.Equal(t, tc.bB, ok, "%#v", tc.v)
	}
	assert.Equal(t, "number", ValueNumber.String())
	assert.Equal(t, "ValueKind(9)", ValueKind(9).String())
}

func TestLocationJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Location{Lat: 42.5, Lng: -85.25})
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"Point","coordinates":[-85.25,42.5]}`, string(b))

	_, err = json.Marshal(Location{Lat: 100})
	assert.ErrorIs(t, err, ErrInvalidInput)

	for _, in := range []string{`{"type":"Point","coordinates":[-85.25,42.5]}`, `{"lat":42.5,"lng":-85.25}`, ` {"coordinates":[-85.25,42.5,120]} `} {
		var l Location
		require.NoError(t, json.Unmarshal([]byte(in), &l), in)
		assert.Equal(t, Location{Lat: 42.5, Lng: -85.25}, l, in)
	}
	for _, in := range []string{`{"lat":1}`, `{"coordinates":[1]}`, `[1,2]`, `{"lat":"1","lng":2}`, `{"type":1,"coordinates":[1,2]}`, `{"lat":1,"lng":2} x`} {
		var l Location
		assert.Error(t, json.Unmarshal([]byte(in), &l), in)
	}
}

func TestDataJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := Data{ID: "65a1b2c3d4e5f6071829aaa1", Device: testDeviceID, Variable: "t", Value: 21.5, Unit: "C",
		Group: "g", Location: &Location{Lat: 1.5, Lng: 2.5}, Metadata: map[string]any{"a": "b"},
		Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"65a1b2c3d4e5f6071829aaa1","device":"`+testDeviceID+`","variable":"t","value":21.5,"unit":"C","group":"g",
		"location":{"type":"Point","coordinates":[2.5,1.5]},"metadata":{"a":"b"},"time":"2024-01-02T03:04:05Z"}`, string(b))
	var out Data
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)

	var list []Data
	require.NoError(t, json.Unmarshal([]byte(sampleRecords), &list))
	assertSameData(t, sampleWant(), list)
	assert.Error(t, json.Unmarshal([]byte(`{"variable":"t","value":[1}`), &out))

	// A foreign record reads leniently and marshals back as it came (Extra aside).
	require.NoError(t, json.Unmarshal([]byte(`{"variable":"t","value":[1, {"a":2}],"metadata":[1]}`), &out))
	assert.Equal(t, Data{Variable: "t", Value: json.RawMessage(`[1, {"a":2}]`), Extra: map[string]json.RawMessage{"metadata": json.RawMessage(`[1]`)}}, out)
	assert.Equal(t, ValueJSON, out.ValueKind())
	b, err = json.Marshal(out)
	require.NoError(t, err)
	assert.JSONEq(t, `{"variable":"t","value":[1,{"a":2}]}`, string(b))
}

func TestBatchErrorUnwrap(t *testing.T) {
	t.Parallel()
	cause := &APIError{HTTPStatus: 429, Method: "POST", Path: "/data", Message: "Too many requests"}
	err := error(&BatchError{Batch: 1, Batches: 2, First: 8000, Size: 2001, Stored: 8000, Err: cause})
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, "tago: batch 2 of 2 (items 8000-10000) failed after 8000 were stored: POST /data: 429 Too many requests", err.Error())
	assert.False(t, MayBeStored(err))
	assert.Equal(t, 8000, err.(*BatchError).NotStoredFrom())
	var got *APIError
	require.True(t, errors.As(err, &got))
	assert.Same(t, cause, got)
	assert.True(t, reflect.DeepEqual(cause, errors.Unwrap(err)))
}
