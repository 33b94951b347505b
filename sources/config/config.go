// Package config holds the YAML decoding rules every section of warroom's
// config file follows, in the style of prometheus/common/config: each package
// owns its section type with defaults, an UnmarshalYAML that applies the
// defaults, decodes strictly and calls Validate, and errors that name the line
// and the field.
//
// go.yaml.in/yaml/v3's Node.Decode forgets the decoder's KnownFields setting,
// so a section that decodes its own node would silently accept unknown keys.
// Decode restores strictness by checking the node's keys against the target
// type before decoding.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"warroom/sources"
)

// Error is a config error at a place in the file.
type Error struct {
	Line  int    // 1-based; 0 when unknown
	Field string // dotted path or key name; may be empty
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "%s: ", e.Field)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error at node n for field.
func Errorf(n *yaml.Node, field, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{Line: line, Field: field, Err: fmt.Errorf(format, args...)}
}

// At attaches node n's line to err unless err already names a line. It is
// for wrapping Validate errors in UnmarshalYAML. A field inside n is named
// by err itself; use FieldNode to point at the field's own line.
func At(n *yaml.Node, err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) && ce.Line > 0 {
		return err
	}
	if errors.As(err, &ce) {
		return &Error{Line: n.Line, Field: ce.Field, Err: ce.Err}
	}
	return &Error{Line: n.Line, Err: err}
}

// FieldNode returns the value node of key in mapping node n (or n itself when
// it is absent), so a Validate error can point at the offending line.
func FieldNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return n
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return n
}

// Decode decodes n into v (a pointer), rejecting keys that v's type does not
// have, with the key's line. Types below v that implement yaml.Unmarshaler
// check themselves (they call Decode too).
func Decode(n *yaml.Node, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("config: Decode needs a non-nil pointer, got %T", v)
	}
	if err := checkKeys(n, rv.Type().Elem(), true); err != nil {
		return err
	}
	if err := n.Decode(v); err != nil {
		var ce *Error
		if errors.As(err, &ce) || strings.Contains(err.Error(), "line ") {
			return cleanYAMLError(err)
		}
		// An Unmarshaler of the legacy kind (model.Duration, config.URL)
		// failed without saying where: find the field that fails alone.
		if located := locate(n, rv.Type().Elem(), err); located != nil {
			return located
		}
		return At(n, cleanYAMLError(err))
	}
	return nil
}

// locate decodes n's fields one by one into fresh values of their types and
// returns the deepest failing one as an *Error, or nil.
func locate(n *yaml.Node, t reflect.Type, cause error) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	try := func(val *yaml.Node, ft reflect.Type, field string) error {
		if err := val.Decode(reflect.New(ft).Interface()); err != nil {
			if deeper := locate(val, ft, err); deeper != nil {
				return deeper
			}
			var ce *Error
			if errors.As(err, &ce) {
				return err
			}
			if negativeDuration(val, ft) {
				// model.Duration has no sign: say so rather than "not a
				// valid duration string"
				return &Error{Line: val.Line, Field: field, Err: fmt.Errorf("must not be negative, got %s", val.Value)}
			}
			return &Error{Line: val.Line, Field: field, Err: cleanYAMLError(err)}
		}
		return nil
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := map[string]reflect.Type{}
		collectFields(t, fields)
		for i := 0; i+1 < len(n.Content); i += 2 {
			if ft, ok := fields[n.Content[i].Value]; ok {
				if err := try(n.Content[i+1], ft, n.Content[i].Value); err != nil {
					return err
				}
			}
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for _, c := range n.Content {
			if err := try(c, t.Elem(), ""); err != nil {
				return err
			}
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := try(n.Content[i+1], t.Elem(), n.Content[i].Value); err != nil {
				return err
			}
		}
	}
	return nil
}

var durationType = reflect.TypeFor[model.Duration]()

// negativeDuration reports whether val is a duration with a minus sign
// decoded into a model.Duration (or a pointer to one).
func negativeDuration(val *yaml.Node, t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != durationType || val.Kind != yaml.ScalarNode || !strings.HasPrefix(val.Value, "-") {
		return false
	}
	_, err := model.ParseDuration(val.Value[1:])
	return err == nil
}

// Load decodes a whole document from r into v strictly. An empty document
// leaves v as it is (its defaults). Every config file (the main one with its
// layout, a schedule_file) comes through here, so this is where a document
// whose aliases expand past MaxExpandedNodes or MaxExpandedBytes is refused.
func Load(r io.Reader, v any) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return cleanYAMLError(err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	if err := checkExpansion(&doc); err != nil {
		return err
	}
	root := doc.Content[0]
	if u, ok := v.(yaml.Unmarshaler); ok {
		return u.UnmarshalYAML(root)
	}
	return Decode(root, v)
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// checkKeys walks node n against type t. top is true for the type Decode was
// called on, whose own Unmarshaler is what is running now.
func checkKeys(n *yaml.Node, t reflect.Type, top bool) error {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if !top && reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := map[string]reflect.Type{}
		collectFields(t, fields)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Value == "<<" { // merge key
				continue
			}
			ft, ok := fields[k.Value]
			if !ok {
				return &Error{Line: k.Line, Field: k.Value, Err: fmt.Errorf("unknown field (known: %s)", knownList(fields))}
			}
			if err := checkKeys(val, ft, false); err != nil {
				return err
			}
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkKeys(n.Content[i+1], t.Elem(), false); err != nil {
				return err
			}
		}
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for _, c := range n.Content {
			if err := checkKeys(c, t.Elem(), false); err != nil {
				return err
			}
		}
	}
	return nil
}

func collectFields(t reflect.Type, out map[string]reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, out)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
}

func knownList(fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	// small maps: insertion sort keeps this dependency-free and stable
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return strings.Join(names, ", ")
}

// cleanYAMLError turns yaml's "yaml: unmarshal errors:\n  line 3: ..." into
// one line per problem without the library prefix. yaml quotes the value
// it could not read as it is, so the text is shown by the one policy for
// untrusted text: every command prints it.
func cleanYAMLError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return errors.New(sources.Sanitize(strings.Join(te.Errors, "; ")))
	}
	return errors.New(sources.Sanitize(strings.TrimPrefix(err.Error(), "yaml: ")))
}

// LoadFile is Load from the file at path.
func LoadFile(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return Load(f, v)
}
