package tago

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dropdownAnswers are three stored answers of a multiple dropdown: one holding the
// option "b" (value "b", label "Bee"), one without it, one that is no dropdown answer.
const dropdownAnswers = `{"status":true,"result":[
	{"id":"65a1b2c3d4e5f6071829aaa1","variable":"sites","value":"a;Bee;c","metadata":{"color":"red","sentValues":[{"value":"a","label":"A"},{"value":"b","label":"Bee"},{"value":"c","label":"C"}]}},
	{"id":"65a1b2c3d4e5f6071829aaa2","variable":"sites","value":"a","metadata":{"sentValues":[{"value":"a","label":"A"}]}},
	{"id":"65a1b2c3d4e5f6071829aaa3","variable":"sites","value":"b"}
]}`

func TestDataRemoveDropdownValues(t *testing.T) {
	t.Parallel()
	c, mt := accountClient(t)
	get := expect(mt, "GET", "/device/"+testDeviceID+"/data", 200, dropdownAnswers)
	put := expect(mt, "PUT", "/device/"+testDeviceID+"/data", 200, `{"status":true,"result":"1 item(s) updated"}`)

	n, err := c.Devices.Data(testDeviceID).RemoveDropdownValues(t.Context(), []string{"sites"}, "b")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	require.Equal(t, 1, get.count(), "a short page ends the read")
	r := get.last(t)
	assert.Equal(t, "variables[0]=sites&qty=1000&ordination=ascending", r.Query)
	assertAccountToken(t, r)
	require.Equal(t, 1, put.count())
	assert.JSONEq(t, `[{"id":"65a1b2c3d4e5f6071829aaa1","value":"a;c",
		"metadata":{"color":"red","sentValues":[{"value":"a","label":"A"},{"value":"c","label":"C"}]}}]`, string(put.last(t).Body))
}

func TestDataRemoveDropdownValuesDeviceToken(t *testing.T) {
	t.Parallel()
	c, mt := deviceClient(t)
	get := expect(mt, "GET", "/data", 200, dropdownAnswers)
	put := expect(mt, "PUT", "/data", 200, `{"status":true,"result":"1 item(s) updated"}`)

	n, err := c.Data.RemoveDropdownValues(t.Context(), []string{"sites"}, "zzz")
	require.NoError(t, err)
	assert.Zero(t, n, "no answer holds the option")
	assert.Equal(t, 1, get.count())
	assertDeviceToken(t, get.last(t))
	assert.Zero(t, put.count(), "nothing to edit, nothing sent")

	n, err = c.Data.RemoveDropdownValues(t.Context(), []string{"sites"}, "a", "c")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.JSONEq(t, `[
		{"id":"65a1b2c3d4e5f6071829aaa1","value":"Bee","metadata":{"color":"red","sentValues":[{"value":"b","label":"Bee"}]}},
		{"id":"65a1b2c3d4e5f6071829aaa2","value":"","metadata":{"sentValues":[]}}
	]`, string(put.last(t).Body))
}

func TestDataRemoveDropdownValuesFailures(t *testing.T) {
	t.Parallel()
	c, mt := accountClient(t)
	d := c.Devices.Data(testDeviceID)
	for _, tt := range []struct {
		name      string
		variables []string
		values    []string
		field     string
	}{
		{"no variables", nil, []string{"b"}, "variables"},
		{"no values", []string{"sites"}, nil, "values"},
		{"an empty value", []string{"sites"}, []string{"b", ""}, "values[1]"},
	} {
		_, err := d.RemoveDropdownValues(t.Context(), tt.variables, tt.values...)
		require.ErrorIs(t, err, ErrInvalidInput, tt.name)
		var ie *InputError
		require.ErrorAs(t, err, &ie, tt.name)
		assert.Equal(t, tt.field, ie.Field, tt.name)
	}
	assert.Zero(t, mt.GetTotalCallCount(), "bad input sends nothing")

	_, err := c.Devices.Data("").RemoveDropdownValues(t.Context(), []string{"sites"}, "b")
	require.ErrorIs(t, err, ErrInvalidInput)

	expect(mt, "GET", "/device/"+testDeviceID+"/data", 404, `{"status":false,"message":"Device not found"}`)
	put := expect(mt, "PUT", "/device/"+testDeviceID+"/data", 200, `{"status":true,"result":"1 item(s) updated"}`)
	_, err = d.RemoveDropdownValues(t.Context(), []string{"sites"}, "b")
	require.ErrorIs(t, err, ErrNotFound)
	assert.Zero(t, put.count(), "a failed read edits nothing")
}
