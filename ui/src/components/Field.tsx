import { useId, type InputHTMLAttributes } from "react";
import type { FieldError } from "../bindings/FieldError";
import { fieldErrorText, useI18n } from "../i18n";

type Props = {
  /** The field's wire name (`cpf`, `trading_name`…): errors are matched on it. */
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Errors for every field; this one shows those naming it. */
  errors: FieldError[];
  /** Whether to show its errors yet (after the field was left, or on submit). */
  show: boolean;
  onBlur?: () => void;
  optional?: boolean;
  readOnly?: boolean;
  /** A line under the input saying what to type. */
  hint?: string | undefined;
  /** Show the hint beside errors too (a date of birth's age). */
  keepHint?: boolean | undefined;
  inputProps?: InputHTMLAttributes<HTMLInputElement>;
};

/** A labelled input with its errors beside it, announced to screen readers. */
export function Field({ name, label, value, onChange, errors, show, onBlur, optional, readOnly, hint, keepHint, inputProps }: Props) {
  const { t, locale } = useI18n();
  const id = useId();
  const mine = show ? errors.filter((e) => e.field === name) : [];
  return (
    <div className={mine.length > 0 ? "field invalid" : "field"}>
      <label htmlFor={id}>
        {label}
        {optional && <small> ({t("optional")})</small>}
      </label>
      <input
        id={id}
        name={name}
        value={value}
        readOnly={readOnly}
        aria-invalid={mine.length > 0}
        aria-describedby={mine.length > 0 ? `${id}-error` : hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        data-testid={`field-${name}`}
        {...inputProps}
      />
      {hint && (mine.length === 0 || keepHint) && (
        <small id={`${id}-hint`} className="hint" data-testid={`hint-${name}`}>
          {hint}
        </small>
      )}
      {mine.length > 0 && (
        <p id={`${id}-error`} className="field-error" role="alert" data-testid={`error-${name}`}>
          {mine.map((e) => fieldErrorText(locale, e.code, e.message)).join(" ")}
        </p>
      )}
    </div>
  );
}

/** The problem an API error shows at the top of a form: message and request id. */
export function ErrorBox({ message, requestId }: { message: string; requestId: string | null }) {
  const { t } = useI18n();
  return (
    <div className="banner error" role="alert" data-testid="form-error">
      <strong>{message}</strong>
      {requestId && <small data-testid="request-id">{t("requestId", { id: requestId })}</small>}
    </div>
  );
}
