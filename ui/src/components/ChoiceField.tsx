import { useId } from "react";
import type { FieldError } from "../bindings/FieldError";
import { fieldErrorText, label, useI18n } from "../i18n";

type Props = {
  name: string;
  label: string;
  options: string[];
  value: string;
  onChange: (value: string) => void;
  errors: FieldError[];
  show: boolean;
};

/** One of a few values a provider declares (each shown through `choice.<value>`). */
export function ChoiceField({ name, label: text, options, value, onChange, errors, show }: Props) {
  const { t, locale } = useI18n();
  const id = useId();
  const mine = show ? errors.filter((e) => e.field === name) : [];
  return (
    <div className={mine.length > 0 ? "field invalid" : "field"}>
      <label htmlFor={id}>{text}</label>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value)} data-testid={`field-${name}`}>
        <option value="">{t("choose")}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {label(locale, `choice.${o}`, o)}
          </option>
        ))}
      </select>
      {mine.length > 0 && (
        <p className="field-error" role="alert" data-testid={`error-${name}`}>
          {mine.map((e) => fieldErrorText(locale, e.code, e.message)).join(" ")}
        </p>
      )}
    </div>
  );
}
