package tagotest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDeviceCRUD(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithClock(func() time.Time { return t0 }))
	r := asAccount(t, srv, "POST", "/device", map[string]any{
		"name": "Cold room", "network": DefaultNetworkID, "connector": DefaultConnectorID, "type": "mutable",
		"description": "probe", "tags": []Tag{{"site", "lyon"}}, "serie_number": "ABC1",
		"configuration_params": []map[string]any{{"key": "rate", "value": 60, "sent": false}},
	})
	require.Equal(t, http.StatusCreated, r.code)
	var created struct {
		DeviceID string `json:"device_id"`
		Token    string `json:"token"`
	}
	r.decode(t, &created)

	r = asAccount(t, srv, "GET", "/device/"+created.DeviceID, nil)
	require.Equal(t, http.StatusOK, r.code)
	assert.JSONEq(t, `{"status":true,"result":{
		"id":"`+created.DeviceID+`","name":"Cold room","profile":"`+srv.ProfileID()+`","description":"probe",
		"active":true,"visible":true,"type":"mutable","network":"`+DefaultNetworkID+`","connector":"`+DefaultConnectorID+`",
		"connector_parse":false,"parse_function":null,"payload_decoder":null,"tags":[{"key":"site","value":"lyon"}],
		"serie_number":"ABC1","data_retention":"forever","last_input":null,"last_output":null,"inspected_at":null,
		"created_at":"2025-03-10T12:00:00.000Z","updated_at":"2025-03-10T12:00:00.000Z"}}`, string(r.body))
	assert.Equal(t, []Param{{ID: srv.Params(created.DeviceID)[0].ID, Key: "rate", Value: "60"}}, srv.Params(created.DeviceID))
	toks := srv.DeviceTokens(created.DeviceID)
	require.Len(t, toks, 1)
	assert.Equal(t, created.Token, toks[0].Token)
	assert.Equal(t, "ABC1", toks[0].SerieNumber, "the first token carries the serial")

	r = asAccount(t, srv, "PUT", "/device/"+created.DeviceID, map[string]any{"name": "Cold room 2", "active": false, "description": nil})
	assert.JSONEq(t, `{"status":true,"result":"Successfully Updated"}`, string(r.body))
	got, ok := srv.Device(created.DeviceID)
	require.True(t, ok)
	assert.Equal(t, "Cold room 2", got.Name)
	assert.False(t, got.Active)
	assert.Equal(t, "", got.Description)
	assert.Equal(t, []Tag{{"site", "lyon"}}, got.Tags, "fields left out stay")

	// An inactive device refuses data sent with its token.
	r = asDevice(t, srv, created.Token, "POST", "/data", map[string]any{"variable": "t", "value": 1})
	assert.Equal(t, http.StatusBadRequest, r.code)
	assert.Equal(t, "Device is deactivated", r.env.Message)

	r = asAccount(t, srv, "PUT", "/device/"+created.DeviceID, map[string]any{"type": "immutable"})
	assert.Equal(t, http.StatusBadRequest, r.code)
	r = asAccount(t, srv, "PUT", "/device/"+created.DeviceID, map[string]any{"network": DefaultNetworkID})
	assert.Equal(t, http.StatusBadRequest, r.code, "network without connector")

	r = asAccount(t, srv, "DELETE", "/device/"+created.DeviceID, nil)
	assert.JSONEq(t, `{"status":true,"result":"Successfully Removed"}`, string(r.body))
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", "/device/"+created.DeviceID, nil).code)
	assert.Equal(t, http.StatusUnauthorized, asDevice(t, srv, created.Token, "GET", "/info", nil).code, "its tokens are gone")
}

func TestDeviceCreateValidation(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "d", "network": DefaultNetworkID, "connector": DefaultConnectorID}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"missing network", map[string]any{"name": "d", "connector": DefaultConnectorID}, "network"},
		{"missing connector", map[string]any{"name": "d", "network": DefaultNetworkID}, "connector"},
		{"unknown network", base(map[string]any{"network": "0123456789abcdef01234567"}), "network"},
		{"bad type", base(map[string]any{"type": "forever"}), "type"},
		{"immutable without chunk period", base(map[string]any{"type": "immutable", "chunk_retention": 1}), "chunk_period"},
		{"immutable retention out of range", base(map[string]any{"type": "immutable", "chunk_period": "day", "chunk_retention": 37}), "chunk_retention"},
		{"hybrid without regex", base(map[string]any{"type": "hybrid", "chunk_period": "day", "chunk_retention": 1}), "mutable_variable_regex"},
		{"tag without key", base(map[string]any{"tags": []map[string]any{{"value": "x"}}}), "tags[0].key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := asAccount(t, srv, "POST", "/device", tt.body)
			assert.Equal(t, http.StatusBadRequest, r.code)
			assert.Contains(t, r.env.FieldErrors, tt.field, string(r.body))
		})
	}
	assert.Empty(t, srv.Devices())
	// Without a type the device is legacy, as the JS SDK documents.
	r := asAccount(t, srv, "POST", "/device", base(nil))
	require.Equal(t, http.StatusCreated, r.code)
	assert.Equal(t, "legacy", srv.Devices()[0].Type)
}

// seedFleet adds devices for the list tests, in this creation order.
func seedFleet(srv *Server) (lora Network) {
	lora = srv.AddNetwork(NetworkSpec{Name: "LoRaWAN Actility"})
	conn := srv.AddConnector(ConnectorSpec{Name: "Adeunis", Networks: []string{lora.ID}})
	srv.AddDevice(DeviceSpec{Name: "Sensor A", Tags: []Tag{{"type", "sensor"}, {"site", "paris"}}})
	srv.AddDevice(DeviceSpec{Name: "sensor b", Tags: []Tag{{"type", "sensor"}, {"site", "lyon"}}, Inactive: true})
	srv.AddDevice(DeviceSpec{Name: "Gateway", Tags: []Tag{{"type", "gateway"}, {"site", "paris"}}})
	srv.AddDevice(DeviceSpec{Name: "LoRa probe", Network: lora.ID, Connector: conn.ID, SerieNumber: "0018B20000000BEE"})
	srv.AddDevice(DeviceSpec{Name: "Thermo sensor", Tags: []Tag{{"type", "Sensor"}}})
	return lora
}

func TestDeviceListFilters(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	lora := seedFleet(srv)
	other := srv.AddProfile("other")
	srv.AddDevice(DeviceSpec{Profile: other.ID, Name: "Sensor elsewhere"})

	tests := []struct {
		name, query string
		want        []string
	}{
		{"everything, name ascending", "", []string{"Gateway", "LoRa probe", "Sensor A", "sensor b", "Thermo sensor"}},
		{"name contains", "filter[name]=*sensor*", []string{"Sensor A", "sensor b", "Thermo sensor"}},
		{"name prefix", "filter[name]=sensor*", []string{"Sensor A", "sensor b"}},
		{"name suffix", "filter[name]=*sensor", []string{"Thermo sensor"}},
		{"name exact, any case", "filter[name]=GATEWAY", []string{"Gateway"}},
		{"name inner wildcard", "filter[name]=l*probe", []string{"LoRa probe"}},
		{"encoded brackets and star", "filter%5Bname%5D=%2Asensor%2A&filter%5Btags%5D%5B0%5D%5Bkey%5D=site", []string{"Sensor A", "sensor b"}},
		{"tag key and value", "filter[tags][0][key]=type&filter[tags][0][value]=sensor", []string{"Sensor A", "sensor b", "Thermo sensor"}},
		{"tag key only", "filter[tags][0][key]=site", []string{"Gateway", "Sensor A", "sensor b"}},
		{"two tags must both match", "filter[tags][0][key]=type&filter[tags][0][value]=sensor&filter[tags][1][key]=site&filter[tags][1][value]=paris", []string{"Sensor A"}},
		{"tags appended with []", "filter[tags][][key]=site", []string{"Gateway", "Sensor A", "sensor b"}},
		{"active false", "filter[active]=false", []string{"sensor b"}},
		{"active true", "filter[active]=true&filter[name]=sensor*", []string{"Sensor A"}},
		{"network", "filter[network]=" + lora.ID, []string{"LoRa probe"}},
		{"serial", "serial=0018b20000000bee", []string{"LoRa probe"}},
		{"type", "filter[type]=mutable&filter[name]=g*", []string{"Gateway"}},
		{"no match", "filter[name]=nothing*", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := asAccount(t, srv, "GET", "/device?"+tt.query, nil)
			require.Equal(t, http.StatusOK, r.code, string(r.body))
			assert.Equal(t, tt.want, names(t, r, "name"))
		})
	}
}

func TestDeviceListPagingOrderFields(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	seedFleet(srv)

	get := func(q string) resp {
		t.Helper()
		r := asAccount(t, srv, "GET", "/device?"+q, nil)
		require.Equal(t, http.StatusOK, r.code, string(r.body))
		return r
	}
	assert.Equal(t, []string{"Gateway", "LoRa probe"}, names(t, get("page=1&amount=2"), "name"))
	assert.Equal(t, []string{"Sensor A", "sensor b"}, names(t, get("page=2&amount=2"), "name"))
	assert.Equal(t, []string{"Thermo sensor"}, names(t, get("page=3&amount=2"), "name"), "a short last page")
	assert.Equal(t, []string{}, names(t, get("page=4&amount=2"), "name"))
	assert.Equal(t, []string{"Gateway", "LoRa probe"}, names(t, get("page=0&amount=2"), "name"), "page 0 is the first page")
	assert.Len(t, names(t, get(""), "name"), 5, "default amount 20")
	assert.Len(t, names(t, get("amount=0"), "name"), 5, "amount 0 means the default")

	assert.Equal(t, []string{"Thermo sensor", "sensor b", "Sensor A", "LoRa probe", "Gateway"}, names(t, get("orderBy=name,desc"), "name"))
	assert.Equal(t, []string{"Thermo sensor", "sensor b", "Sensor A", "LoRa probe", "Gateway"}, names(t, get("orderBy[0]=name&orderBy[1]=desc"), "name"))
	assert.Equal(t, []string{"Sensor A", "sensor b", "Gateway", "LoRa probe", "Thermo sensor"}, names(t, get("orderBy=created_at,asc"), "name"))
	assert.Equal(t, []string{"sensor b", "Sensor A", "Gateway", "LoRa probe", "Thermo sensor"}, names(t, get("orderBy=active,asc"), "name"),
		"false sorts first; equal keys keep creation order")

	for _, q := range []string{"fields[0]=id&fields[1]=name", "fields[]=id&fields[]=name", "fields=id&fields=name", "fields=id,name"} {
		var items []map[string]any
		get(q+"&amount=1").decode(t, &items)
		require.Len(t, items, 1)
		assert.Len(t, items[0], 2, q)
		assert.Contains(t, items[0], "id", q)
		assert.Equal(t, "Gateway", items[0]["name"], q)
	}

	r := asAccount(t, srv, "GET", "/device?orderBy=name,sideways", nil)
	assert.Equal(t, http.StatusBadRequest, r.code)
	r = asAccount(t, srv, "GET", "/device?page=x", nil)
	assert.Equal(t, http.StatusBadRequest, r.code)
}

func TestProfilesAreIsolated(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	other := srv.AddProfile("other")
	mine := srv.AddDevice(DeviceSpec{Name: "mine"})
	theirs := srv.AddDevice(DeviceSpec{Profile: other.ID, Name: "theirs"})

	assert.Equal(t, []string{"mine"}, names(t, asAccount(t, srv, "GET", "/device", nil), "name"))
	assert.Equal(t, []string{"theirs"}, names(t, send(t, srv, "GET", "/device", "Account-Token", other.Token, nil), "name"))
	for _, path := range []string{"/device/" + theirs.ID, "/device/" + theirs.ID + "/data", "/device/" + theirs.ID + "/params", "/device/token/" + theirs.ID} {
		assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "GET", path, nil).code, path)
	}
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "DELETE", "/device/token/"+theirs.Token, nil).code)
	assert.Equal(t, http.StatusOK, send(t, srv, "GET", "/device/"+theirs.ID, "Account-Token", other.Token, nil).code)
	_ = mine
}

func TestDeviceTokens(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: t0}
	srv := NewServer(t, WithClock(clock.now))
	dev := srv.AddDevice(DeviceSpec{Name: "d"})

	clock.t = t0.Add(time.Minute)
	r := asAccount(t, srv, "POST", "/device/token", map[string]any{
		"device": dev.ID, "name": "gateway", "permission": "write", "expire_time": "1 day",
		"serie_number": "70B3D57ED0001234", "verification_code": "1234"})
	require.Equal(t, http.StatusCreated, r.code)
	var tok struct {
		Token      string `json:"token"`
		Permission string `json:"permission"`
		ExpireDate string `json:"expire_date"`
	}
	r.decode(t, &tok)
	assert.Regexp(t, uuidRe, tok.Token)
	assert.Equal(t, "write", tok.Permission)
	assert.Equal(t, "2025-03-11T12:01:00.000Z", tok.ExpireDate)

	r = asAccount(t, srv, "POST", "/device/token", map[string]any{"device": dev.ID, "name": "forever"})
	require.Equal(t, http.StatusCreated, r.code)
	assert.Contains(t, string(r.body), `"expire_date":"never"`)
	assert.Contains(t, string(r.body), `"permission":"full"`)

	// Newest first by default, every field when none are asked for.
	r = asAccount(t, srv, "GET", "/device/token/"+dev.ID, nil)
	assert.Equal(t, []string{"forever", "gateway", "Default"}, names(t, r, "name"))
	var list []map[string]any
	r.decode(t, &list)
	assert.Equal(t, map[string]any{
		"token": tok.Token, "name": "gateway", "permission": "write", "device_id": dev.ID,
		"serie_number": "70B3D57ED0001234", "last_authorization": nil, "verification_code": "1234",
		"middleware": nil, "expire_time": "2025-03-11T12:01:00.000Z", "created_at": "2025-03-10T12:01:00.000Z",
	}, list[1])

	r = asAccount(t, srv, "GET", "/device/token/"+dev.ID+"?fields=name,serie_number&orderBy=created_at,asc&amount=2", nil)
	list = nil
	r.decode(t, &list)
	assert.Equal(t, []map[string]any{
		{"name": "Default", "serie_number": nil},
		{"name": "gateway", "serie_number": "70B3D57ED0001234"},
	}, list)

	r = asAccount(t, srv, "POST", "/device/token", map[string]any{"device": dev.ID, "name": "x", "permission": "admin"})
	assert.Equal(t, http.StatusBadRequest, r.code)
	r = asAccount(t, srv, "POST", "/device/token", map[string]any{"device": "0123456789abcdef01234567", "name": "x"})
	assert.Equal(t, http.StatusNotFound, r.code)

	r = asAccount(t, srv, "DELETE", "/device/token/"+tok.Token, nil)
	assert.JSONEq(t, `{"status":true,"result":"Token Successfully Removed"}`, string(r.body))
	assert.Equal(t, http.StatusUnauthorized, asDevice(t, srv, tok.Token, "POST", "/data", map[string]any{"variable": "x"}).code)
	assert.Equal(t, http.StatusNotFound, asAccount(t, srv, "DELETE", "/device/token/"+tok.Token, nil).code)
}

func TestConfigParams(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d"})
	base := "/device/" + dev.ID + "/params"

	r := asAccount(t, srv, "POST", base, []map[string]any{
		{"key": "downlink", "value": "0a0b", "sent": false},
		{"key": "port", "value": 2, "sent": false},
		{"key": "mode", "value": true, "sent": true},
	})
	require.Equal(t, http.StatusCreated, r.code)
	ps := srv.Params(dev.ID)
	require.Len(t, ps, 3)
	assert.Equal(t, "2", ps[1].Value, "numbers are stored as their text")
	assert.Equal(t, "true", ps[2].Value)

	var list []map[string]any
	asAccount(t, srv, "GET", base, nil).decode(t, &list)
	assert.Equal(t, map[string]any{"id": ps[0].ID, "key": "downlink", "value": "0a0b", "sent": false}, list[0])
	assert.Equal(t, []string{"downlink", "port"}, names(t, asAccount(t, srv, "GET", base+"?sent_status=false", nil), "key"))
	assert.Equal(t, []string{"mode"}, names(t, asAccount(t, srv, "GET", base+"?sent_status=true", nil), "key"))
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "GET", base+"?sent_status=maybe", nil).code)

	// Edit by id, add without.
	r = asAccount(t, srv, "POST", base, []map[string]any{{"id": ps[0].ID, "key": "downlink", "value": "ff", "sent": false}, {"key": "new", "value": "x"}})
	require.Equal(t, http.StatusCreated, r.code)
	ps = srv.Params(dev.ID)
	require.Len(t, ps, 4)
	assert.Equal(t, "ff", ps[0].Value)
	r = asAccount(t, srv, "POST", base, map[string]any{"id": "0123456789abcdef01234567", "key": "k", "value": "v"})
	assert.Equal(t, http.StatusNotFound, r.code)

	// The device reads its own parameters and acknowledges one.
	assert.Equal(t, []string{"downlink", "port", "new"}, names(t, asDevice(t, srv, dev.Token, "GET", "/device/params?sent_status=false", nil), "key"))
	r = asDevice(t, srv, dev.Token, "PUT", "/device/params/"+ps[0].ID, nil)
	assert.JSONEq(t, `{"status":true,"result":"Params Successfully Updated"}`, string(r.body))
	assert.True(t, srv.Params(dev.ID)[0].Sent)
	r = asDevice(t, srv, dev.Token, "PUT", "/device/params/"+ps[0].ID, map[string]any{"sent": false})
	require.Equal(t, http.StatusOK, r.code)
	assert.False(t, srv.Params(dev.ID)[0].Sent)
	assert.Equal(t, http.StatusNotFound, asDevice(t, srv, dev.Token, "PUT", "/device/params/0123456789abcdef01234567", nil).code)

	r = asAccount(t, srv, "DELETE", base+"/"+ps[1].ID, nil)
	assert.JSONEq(t, `{"status":true,"result":"Successfully Removed"}`, string(r.body))
	assert.Len(t, srv.Params(dev.ID), 3)
}

func TestChunks(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "archive", Type: "immutable", ChunkPeriod: "day", ChunkRetention: 3})
	day1 := time.Date(2025, 3, 8, 10, 0, 0, 0, time.UTC)
	srv.AddData(dev.ID, Record{Variable: "t", Value: 1, Time: day1}, Record{Variable: "t", Value: 2, Time: day1.Add(time.Hour)},
		Record{Variable: "t", Value: 3, Time: day1.AddDate(0, 0, 1)})

	var chunks []map[string]any
	asAccount(t, srv, "GET", "/device/"+dev.ID+"/chunk", nil).decode(t, &chunks)
	assert.Equal(t, []map[string]any{
		{"id": "1741392000_1741478399", "from": "2025-03-08T00:00:00.000+00:00", "to": "2025-03-08T23:59:59.000+00:00", "amount": 2.0},
		{"id": "1741478400_1741564799", "from": "2025-03-09T00:00:00.000+00:00", "to": "2025-03-09T23:59:59.000+00:00", "amount": 1.0},
	}, chunks)
	r := asAccount(t, srv, "DELETE", "/device/"+dev.ID+"/chunk/1741392000_1741478399", nil)
	assert.JSONEq(t, `{"status":true,"result":"Chunk 1741392000_1741478399 deleted"}`, string(r.body))
	assert.Len(t, srv.Data(dev.ID), 1)

	mutable := srv.AddDevice(DeviceSpec{Name: "m"})
	assert.Equal(t, http.StatusBadRequest, asAccount(t, srv, "GET", "/device/"+mutable.ID+"/chunk", nil).code)
}

func TestEditDeviceFields(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	lora := srv.AddNetwork(NetworkSpec{Name: "LoRaWAN"})
	conn := srv.AddConnector(ConnectorSpec{Name: "decoder", Networks: []string{lora.ID}})
	h := srv.AddDevice(DeviceSpec{Name: "h", Type: "hybrid", ChunkPeriod: "day", ChunkRetention: 1, MutableVariableRegex: "^a"})
	edit := func(id string, body map[string]any) resp {
		t.Helper()
		return asAccount(t, srv, "PUT", "/device/"+id, body)
	}
	assert.Equal(t, http.StatusOK, edit(h.ID, map[string]any{
		"network": lora.ID, "connector": conn.ID, "chunk_retention": 6, "mutable_variable_regex": "^b",
		"tags": []Tag{{"k", "v"}}, "serie_number": "EUI", "payload_decoder": "Ym9keQ==", "visible": false,
		"configuration_params": []map[string]any{{"key": "p", "value": "1"}},
	}).code)
	var info map[string]any
	asAccount(t, srv, "GET", "/device/"+h.ID, nil).decode(t, &info)
	assert.Equal(t, lora.ID, info["network"])
	assert.Equal(t, conn.ID, info["connector"])
	assert.Equal(t, 6.0, info["chunk_retention"])
	assert.Equal(t, "day", info["chunk_period"])
	assert.Equal(t, "^b", info["mutable_variable_regex"])
	assert.Equal(t, "EUI", info["serie_number"])
	assert.Equal(t, "Ym9keQ==", info["payload_decoder"])
	assert.Equal(t, "Ym9keQ==", info["parse_function"])
	assert.Equal(t, false, info["visible"])
	assert.Len(t, srv.Params(h.ID), 1)

	srv.AddData(h.ID, Record{Variable: "b1", Value: 1})
	for _, tt := range []struct {
		name string
		body map[string]any
	}{
		{"regex on a device with data", map[string]any{"mutable_variable_regex": "^c"}},
		{"bad retention", map[string]any{"chunk_retention": 40}},
		{"chunk period", map[string]any{"chunk_period": "week"}},
		{"unknown connector", map[string]any{"network": lora.ID, "connector": "0123456789abcdef01234567"}},
		{"empty name", map[string]any{"name": " "}},
	} {
		assert.Equal(t, http.StatusBadRequest, edit(h.ID, tt.body).code, tt.name)
	}
	m := srv.AddDevice(DeviceSpec{Name: "m"})
	assert.Equal(t, http.StatusBadRequest, edit(m.ID, map[string]any{"chunk_retention": 2}).code)
	assert.Equal(t, http.StatusBadRequest, edit(m.ID, map[string]any{"mutable_variable_regex": "x"}).code)
	assert.Equal(t, http.StatusNotFound, edit("0123456789abcdef01234567", map[string]any{"name": "x"}).code)
}

func TestSeedingHelpers(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d", Description: "desc", Params: []Param{{Key: "a", Value: "1"}}})
	got := srv.AddParams(dev.ID, Param{Key: "b", Value: "2", Sent: true})
	require.Len(t, got, 1)
	assert.Regexp(t, hexID, got[0].ID)
	assert.Equal(t, []string{"a", "b"}, []string{srv.Params(dev.ID)[0].Key, srv.Params(dev.ID)[1].Key})
	d, _ := srv.Device(dev.ID)
	assert.Equal(t, "desc", d.Description)

	recs := srv.AddData(dev.ID,
		Record{Variable: "i", Value: int8(1)}, Record{Variable: "u", Value: uint64(2)},
		Record{Variable: "f", Value: float32(1.5)}, Record{Variable: "s", Value: "x"},
		Record{Variable: "b", Value: false}, Record{Variable: "n"}, Record{Variable: "j", Value: json.Number("7")})
	var vals []any
	for _, r := range recs {
		vals = append(vals, r.Value)
	}
	assert.Equal(t, []any{1.0, 2.0, 1.5, "x", false, nil, 7.0}, vals)
	assert.Equal(t, recs[0].Group, recs[6].Group, "one AddData call, one group")

	netw := srv.AddNetwork(NetworkSpec{Name: "n", Extra: map[string]any{"serial_number": map[string]any{"mask": "FF-FF"}}})
	tok := srv.AddNetworkToken(netw.ID, "second")
	assert.Regexp(t, uuidRe, tok)
	var info map[string]any
	asNetwork(t, srv, tok, "GET", "/info", nil).decode(t, &info)
	assert.Equal(t, map[string]any{"mask": "FF-FF"}, info["serial_number"])
	assert.Nil(t, info["middleware_endpoint"])

	assert.Panics(t, func() { srv.AddNetworkToken("0123456789abcdef01234567", "x") })
	assert.Panics(t, func() { srv.AddDevice(DeviceSpec{}) }, "a device needs a name")
	assert.Panics(t, func() { srv.AddDevice(DeviceSpec{Name: "x", Profile: "nope"}) })
	assert.Panics(t, func() { srv.AddDeviceToken(dev.ID, TokenSpec{Permission: "admin"}) })
	assert.Panics(t, func() { srv.AddWidget("nope", WidgetSpec{}) })
	_, ok := srv.Device("nope")
	assert.False(t, ok)
	_, ok = srv.LookupDeviceToken(srv.AccountToken())
	assert.False(t, ok, "not a device token")
	_, ok = srv.Dashboard("nope")
	assert.False(t, ok)
}

// A device edit that fails changes nothing, its configuration parameters included.
func TestDeviceEditAllOrNothing(t *testing.T) {
	t.Parallel()
	srv := NewServer(t)
	dev := srv.AddDevice(DeviceSpec{Name: "d", Params: []Param{{Key: "rate", Value: "60"}}})
	r := asAccount(t, srv, "PUT", "/device/"+dev.ID, map[string]any{"name": "renamed",
		"configuration_params": []map[string]any{{"key": "new", "value": "1"}, {"id": "0123456789abcdef01234567", "value": "2"}}})
	assert.Equal(t, http.StatusNotFound, r.code, string(r.body))
	got, _ := srv.Device(dev.ID)
	assert.Equal(t, "d", got.Name)
	assert.Len(t, srv.Params(dev.ID), 1)

	p := srv.Params(dev.ID)[0]
	r = asAccount(t, srv, "PUT", "/device/"+dev.ID, map[string]any{"name": "renamed",
		"configuration_params": []map[string]any{{"key": "new", "value": 1}, {"id": p.ID, "value": "30"}}})
	assert.Equal(t, "Successfully Updated", r.str(t))
	assert.Equal(t, []Param{{ID: p.ID, Key: "rate", Value: "30"}, {ID: srv.Params(dev.ID)[1].ID, Key: "new", Value: "1"}}, srv.Params(dev.ID))
	var keys []string
	srv.AddDevice(DeviceSpec{Name: "t", Tags: []Tag{{"site", "a"}, {"kind", "b"}}})
	asAccount(t, srv, "GET", "/tags/keys/device", nil).decode(t, &keys)
	assert.Equal(t, []string{"kind", "site"}, keys)
	asAccount(t, srv, "GET", "/tags/keys/bucket", nil).decode(t, &keys)
	assert.Equal(t, []string{"kind", "site"}, keys, "bucket is the devices' older name")
}
