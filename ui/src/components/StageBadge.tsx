import { label, useI18n } from "../i18n";

/**
 * Where a customer is in KYC: the neutral stage, labelled; the provider's own status is
 * its tooltip (and is shown instead when the stage is unknown).
 */
export function StageBadge({ stage, status, testId = "customer-status" }: { stage: string; status: string; testId?: string }) {
  const { locale } = useI18n();
  const text = stage === "unknown" && status ? status : label(locale, `stage.${stage}`, stage);
  return (
    <span className={`badge stage-${stage}`} title={status} data-stage={stage} data-testid={testId}>
      {text}
    </span>
  );
}
