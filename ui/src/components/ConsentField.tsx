import { useId } from "react";
import type { FieldError } from "../bindings/FieldError";
import { fieldErrorText, useI18n } from "../i18n";

type Props = {
  name: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  errors: FieldError[];
  show: boolean;
};

/** Staff confirming something the customer agreed to (their consent to a check). */
export function ConsentField({ name, label, checked, onChange, errors, show }: Props) {
  const { locale } = useI18n();
  const id = useId();
  const mine = show ? errors.filter((e) => e.field === name) : [];
  return (
    <div className={mine.length > 0 ? "field consent invalid" : "field consent"}>
      <label htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={`field-${name}`} />{" "}
        {label}
      </label>
      {mine.length > 0 && (
        <p className="field-error" role="alert" data-testid={`error-${name}`}>
          {mine.map((e) => fieldErrorText(locale, e.code, e.message)).join(" ")}
        </p>
      )}
    </div>
  );
}
