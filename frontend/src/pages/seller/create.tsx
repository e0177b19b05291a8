import { zodResolver } from "@hookform/resolvers/zod";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useRef } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { createShipment } from "../../client/sdk.gen";
import type { ShipmentTag } from "../../client/types.gen";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { SelectField, TextArea, TextField } from "../../components/ui/field";
import { type Translate, useI18n } from "../../i18n";
import { call } from "../../lib/api";
import { applyApiError } from "../../lib/form";
import { IdempotencyKeys } from "../../lib/idempotency";
import { TAGS } from "./search";

function schema(t: Translate) {
  return z.object({
    content: z.string().trim().min(1, t("validation.content")).max(500, t("validation.content")),
    weight: z.string().refine((v) => Number(v) > 0 && Number(v) <= 25, t("validation.weight")),
    destination_zip: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{3,10}$/, t("validation.zip")),
    client_contact_email: z.email(t("validation.email")),
    client_contact_phone: z
      .string()
      .trim()
      .refine((v) => v === "" || /^\+[1-9][0-9]{6,14}$/.test(v), t("validation.phone")),
    recipient_language: z.enum(["", "en", "es"]),
    tags: z.array(z.string()),
  });
}

type Values = z.infer<ReturnType<typeof schema>>;
const FIELDS = [
  "content",
  "weight",
  "destination_zip",
  "client_contact_email",
  "client_contact_phone",
  "recipient_language",
  "tags",
] as const;

export function CreateShipmentPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keys = useRef(new IdempotencyKeys());
  const inFlight = useRef(false);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema(t)),
    defaultValues: { recipient_language: "", tags: [], client_contact_phone: "" },
  });

  const onSubmit = handleSubmit(async (values) => {
    if (inFlight.current) return;
    inFlight.current = true;
    const body = {
      content: values.content.trim(),
      weight: Number(values.weight),
      destination_zip: values.destination_zip.trim(),
      client_contact_email: values.client_contact_email,
      client_contact_phone: values.client_contact_phone || null,
      recipient_language: values.recipient_language || null,
      tags: values.tags as ShipmentTag[],
    };
    try {
      const shipment = await call(
        createShipment({ body, headers: { "Idempotency-Key": keys.current.forValues(body) } }),
      );
      keys.current.reset();
      await queryClient.invalidateQueries({ queryKey: ["seller"] });
      await navigate({ to: "/seller/shipments/$id", params: { id: shipment.id } });
    } catch (error) {
      applyApiError(error, FIELDS, setError, t("app.error"));
    } finally {
      inFlight.current = false;
    }
  });

  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <Link to="/seller" className="text-blue-800 underline">
        {t("create.back")}
      </Link>
      <h1 className="text-2xl font-bold">{t("create.title")}</h1>
      <form
        onSubmit={onSubmit}
        noValidate
        className="grid gap-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 sm:grid-cols-2"
      >
        <TextArea
          wrapperClassName="sm:col-span-2"
          label={t("create.content")}
          maxLength={500}
          error={errors.content?.message}
          {...register("content")}
        />
        <TextField
          label={t("create.weight")}
          type="number"
          inputMode="decimal"
          step="0.001"
          min="0"
          max="25"
          error={errors.weight?.message}
          {...register("weight")}
        />
        <TextField
          label={t("create.zip")}
          autoComplete="off"
          error={errors.destination_zip?.message}
          {...register("destination_zip")}
        />
        <TextField
          label={t("create.email")}
          type="email"
          autoComplete="off"
          error={errors.client_contact_email?.message}
          {...register("client_contact_email")}
        />
        <TextField
          label={t("create.phone")}
          type="tel"
          autoComplete="off"
          placeholder="+14155550100"
          error={errors.client_contact_phone?.message}
          {...register("client_contact_phone")}
        />
        <SelectField
          label={t("create.language")}
          error={errors.recipient_language?.message}
          {...register("recipient_language")}
        >
          <option value="">—</option>
          <option value="en">English</option>
          <option value="es">Español</option>
        </SelectField>
        <fieldset
          className="sm:col-span-2"
          aria-describedby={errors.tags ? "tags-error" : undefined}
        >
          <legend className="font-medium">{t("create.tags")}</legend>
          <div className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-3">
            {TAGS.map((tag) => (
              <label key={tag} className="flex min-h-11 items-center gap-2">
                <input type="checkbox" value={tag} className="h-5 w-5" {...register("tags")} />
                {t(`tag.${tag}`)}
              </label>
            ))}
          </div>
          {errors.tags ? (
            <p id="tags-error" role="alert" className="text-sm font-medium text-red-700">
              {errors.tags.message}
            </p>
          ) : null}
        </fieldset>
        {errors.root?.server ? (
          <Alert tone="error" className="sm:col-span-2">
            {errors.root.server.message}
          </Alert>
        ) : null}
        <div className="sm:col-span-2">
          <Button type="submit" disabled={isSubmitting}>
            {isSubmitting ? t("create.submitting") : t("create.submit")}
          </Button>
        </div>
      </form>
    </div>
  );
}
