import type { FieldKind } from "../bindings/FieldKind";
import type { FieldSpec } from "../bindings/FieldSpec";
import type { FormSpec } from "../bindings/FormSpec";
import type { FormValues } from "../bindings/FormValues";
import type { FieldError } from "../ipc";
import { maskPhone, maskWith } from "../format";
import { label, useI18n } from "../i18n";
import { Field } from "./Field";
import { ChoiceField } from "./ChoiceField";

/** What typing does to a field's value: an identifier follows its kind's mask. */
export function typed(kind: FieldKind, value: string): string {
  switch (kind.type) {
    case "identifier":
      return kind.mask ? maskWith(kind.mask, value) : value;
    case "phone":
      return maskPhone(value);
    default:
      return value;
  }
}

/** Values as the core keeps them (digits), put back in the form's masks. */
export function masked(spec: FormSpec, values: FormValues): FormValues {
  const out: FormValues = {};
  for (const [key, value] of Object.entries(values)) {
    const field = spec.fields.find((f) => f.key === key);
    out[key] = field && value ? typed(field.kind, value) : value;
  }
  return out;
}

function inputProps(f: FieldSpec) {
  switch (f.kind.type) {
    case "identifier":
      return f.kind.mask
        ? { inputMode: "numeric" as const, placeholder: f.kind.mask }
        : { autoCapitalize: "characters" };
    case "email":
      return { type: "email", autoComplete: "off" };
    case "phone":
      return { type: "tel" };
    case "date":
      return { type: "date" };
    case "country":
      return { maxLength: 2, autoCapitalize: "characters", placeholder: "BR" };
    default:
      return { autoComplete: "off", maxLength: f.maxLen ?? undefined };
  }
}

type Props = {
  spec: FormSpec;
  values: FormValues;
  onChange: (key: string, value: string) => void;
  errors: FieldError[];
  /** Whether a field's errors show yet. */
  show: (key: string) => boolean;
  onLeave?: (key: string) => void;
  /** Fields shown read-only (a correction's fixed identifiers). */
  readOnly?: boolean;
  autoFocus?: boolean;
};

/**
 * A form drawn from what the provider declares in Rust: each field's label, help,
 * input kind and mask; the checks are Rust's, asked by the form that holds this.
 */
export function FormFields({ spec, values, onChange, errors, show, onLeave, readOnly, autoFocus }: Props) {
  const { locale } = useI18n();
  return (
    <div className="form-fields">
      {spec.fields.map((f, i) =>
        // File fields are sent with the form by the providers that declare them (none
        // of this version's connectors does yet).
        f.kind.type === "file" ? null : f.kind.type === "choice" ? (
          <ChoiceField
            key={f.key}
            name={f.key}
            label={label(locale, f.label, f.key)}
            options={f.kind.options}
            value={values[f.key] ?? ""}
            onChange={(v) => onChange(f.key, v)}
            errors={errors}
            show={show(f.key)}
          />
        ) : (
          <Field
            key={f.key}
            name={f.key}
            label={label(locale, f.label, f.key)}
            value={values[f.key] ?? ""}
            optional={!f.required && !spec.partial}
            readOnly={readOnly ?? false}
            onChange={(v) => onChange(f.key, typed(f.kind, v))}
            onBlur={() => onLeave?.(f.key)}
            errors={errors}
            show={show(f.key)}
            hint={f.help ? label(locale, f.help, "") || undefined : undefined}
            inputProps={{ ...inputProps(f), autoFocus: autoFocus && i === 0 }}
          />
        ),
      )}
    </div>
  );
}
