import type { FieldKind } from "../bindings/FieldKind";
import type { FieldSpec } from "../bindings/FieldSpec";
import type { FormSpec } from "../bindings/FormSpec";
import type { FormValues } from "../bindings/FormValues";
import type { AttachedFileView, FieldError, FormLayout } from "../ipc";
import { maskPhone, maskWith } from "../format";
import { label, useI18n } from "../i18n";
import { Field } from "./Field";
import { ChoiceField } from "./ChoiceField";
import { FileField } from "./FileField";
import { ConsentField } from "./ConsentField";

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
      return { maxLength: 2, autoCapitalize: "characters" };
    case "url":
      return { type: "url", autoComplete: "off", placeholder: "https://" };
    case "dial_code":
      return { type: "tel", maxLength: 5, placeholder: "+" };
    case "local_number":
      return { type: "tel", maxLength: f.maxLen ?? undefined };
    case "name":
      return { autoComplete: "off", maxLength: f.maxLen ?? undefined };
    case "amount":
      return { inputMode: "decimal" as const, autoComplete: "off" };
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
  /** Which fields are in use and required with the values typed (Rust's answer). */
  layout?: FormLayout | undefined;
  /** The files attached to file fields, by field. */
  files?: Record<string, AttachedFileView> | undefined;
  onFile?: ((key: string, file: AttachedFileView | null) => void) | undefined;
};

/**
 * A form drawn from what the provider declares in Rust: each field's label, help,
 * input kind and mask; the checks are Rust's, asked by the form that holds this.
 */
export function FormFields({ spec, values, onChange, errors, show, onLeave, readOnly, autoFocus, layout, files, onFile }: Props) {
  const { locale, t } = useI18n();
  const optional = (f: FieldSpec) =>
    !spec.partial && !(layout ? layout.required.includes(f.key) : f.required);
  const age = (f: FieldSpec) => layout?.ages[f.key];
  const hint = (f: FieldSpec) => {
    const a = age(f);
    if (a !== undefined) return t("ageIs", { age: a });
    return f.help ? label(locale, f.help, "") || undefined : undefined;
  };
  return (
    <div className="form-fields">
      {spec.fields.map((f, i) =>
        layout?.hidden.includes(f.key) ? null : f.kind.type === "file" ? (
          <FileField
            key={f.key}
            name={f.key}
            label={label(locale, f.label, f.key)}
            optional={optional(f)}
            hint={hint(f)}
            file={files?.[f.key] ?? null}
            onAttached={(file) => {
              onFile?.(f.key, file);
              onChange(f.key, file?.id ?? "");
            }}
            errors={errors}
            show={show(f.key)}
          />
        ) : f.kind.type === "consent" ? (
          <ConsentField
            key={f.key}
            name={f.key}
            label={label(locale, f.label, f.key)}
            checked={values[f.key] === "yes"}
            onChange={(on) => onChange(f.key, on ? "yes" : "")}
            errors={errors}
            show={show(f.key)}
          />
        ) : f.kind.type === "choice" ? (
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
            optional={optional(f)}
            readOnly={readOnly ?? false}
            onChange={(v) => onChange(f.key, typed(f.kind, v))}
            onBlur={() => onLeave?.(f.key)}
            errors={errors}
            show={show(f.key)}
            hint={hint(f)}
            keepHint={age(f) !== undefined}
            inputProps={{ ...inputProps(f), autoFocus: autoFocus && i === 0 }}
          />
        ),
      )}
    </div>
  );
}
