import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { getPartnerMe, getSellerMe, updatePartnerMe, updateSellerMe } from "../client/sdk.gen";
import type { PartnerRead, SellerRead } from "../client/types.gen";
import { Alert } from "../components/ui/alert";
import { Button } from "../components/ui/button";
import { Card } from "../components/ui/card";
import { SelectField, TextField } from "../components/ui/field";
import { type Lang, useI18n } from "../i18n";
import { call } from "../lib/api";
import { applyApiError } from "../lib/form";
import { logOut } from "../lib/logout";
import { parseZips, ZIP } from "./auth";

function LogoutButton() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <Button
      variant="secondary"
      onClick={async () => {
        await logOut();
        queryClient.clear();
        navigate({ to: "/" });
      }}
    >
      {t("app.logout")}
    </Button>
  );
}

export function SellerAccountPage() {
  const { t } = useI18n();
  const me = useQuery({ queryKey: ["seller", "me"], queryFn: () => call(getSellerMe()) });
  return (
    <div className="mx-auto max-w-lg space-y-4">
      <h1 className="text-2xl font-bold">{t("account.title")}</h1>
      {me.isPending ? <p role="status">{t("app.loading")}</p> : null}
      {me.isError ? <Alert tone="error">{t("app.error")}</Alert> : null}
      {me.data ? <SellerForm me={me.data} /> : null}
      <LogoutButton />
    </div>
  );
}

function SellerForm({ me }: { me: SellerRead }) {
  const { t, setLang } = useI18n();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const schema = z.object({
    name: z.string().trim().min(1, t("validation.required")).max(200),
    language: z.enum(["en", "es"]),
  });
  type Values = z.infer<typeof schema>;
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { name: me.name, language: me.language },
  });
  const onSubmit = handleSubmit(async (values) => {
    setSaved(false);
    try {
      const updated = await call(updateSellerMe({ body: values }));
      queryClient.setQueryData(["seller", "me"], updated);
      setLang(values.language as Lang);
      setSaved(true);
    } catch (error) {
      applyApiError(error, ["name", "language"], setError, t("app.error"));
    }
  });
  return (
    <Card>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <p>
          <span className="text-slate-600">{t("account.email")}: </span>
          <span className="break-all">{me.email}</span>
        </p>
        <TextField label={t("account.name")} error={errors.name?.message} {...register("name")} />
        <SelectField
          label={t("account.language")}
          error={errors.language?.message}
          {...register("language")}
        >
          <option value="en">English</option>
          <option value="es">Español</option>
        </SelectField>
        {errors.root?.server ? <Alert tone="error">{errors.root.server.message}</Alert> : null}
        {saved ? <Alert tone="success">{t("app.saved")}</Alert> : null}
        <Button type="submit" disabled={isSubmitting}>
          {t("app.save")}
        </Button>
      </form>
    </Card>
  );
}

export function PartnerAccountPage() {
  const { t } = useI18n();
  const me = useQuery({ queryKey: ["partner", "me"], queryFn: () => call(getPartnerMe()) });
  return (
    <div className="mx-auto max-w-lg space-y-4">
      <h1 className="text-2xl font-bold">{t("account.title")}</h1>
      {me.isPending ? <p role="status">{t("app.loading")}</p> : null}
      {me.isError ? <Alert tone="error">{t("app.error")}</Alert> : null}
      {me.data ? <PartnerSettingsForm me={me.data} withLanguage /> : null}
      <LogoutButton />
    </div>
  );
}

/** Zip codes, capacity (and language): PATCH /partner/me. */
export function PartnerSettingsForm({
  me,
  withLanguage = false,
}: {
  me: PartnerRead;
  withLanguage?: boolean;
}) {
  const { t, setLang } = useI18n();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(false);
  const schema = z.object({
    zips: z
      .string()
      .refine(
        (v) => parseZips(v).length > 0 && parseZips(v).every((zip) => ZIP.test(zip)),
        t("validation.zips"),
      ),
    capacity: z.string().refine((v) => /^\d+$/.test(v) && Number(v) > 0, t("validation.positive")),
    language: z.enum(["en", "es"]),
  });
  type Values = z.infer<typeof schema>;
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      zips: me.serviceable_zip_codes.join(", "),
      capacity: String(me.max_handling_capacity),
      language: me.language,
    },
  });
  const onSubmit = handleSubmit(async (values) => {
    setSaved(false);
    try {
      const updated = await call(
        updatePartnerMe({
          body: {
            serviceable_zip_codes: parseZips(values.zips),
            max_handling_capacity: Number(values.capacity),
            ...(withLanguage ? { language: values.language } : {}),
          },
        }),
      );
      queryClient.setQueryData(["partner", "me"], updated);
      if (withLanguage) setLang(values.language as Lang);
      setSaved(true);
    } catch (error) {
      applyApiError(error, ["zips", "capacity", "language"], setError, t("app.error"), {
        serviceable_zip_codes: "zips",
        max_handling_capacity: "capacity",
      });
    }
  });
  return (
    <Card>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <p>
          <span className="text-slate-600">{t("account.email")}: </span>
          <span className="break-all">{me.email}</span>
        </p>
        <TextField
          label={t("auth.zips")}
          hint={t("auth.zipsHint")}
          autoComplete="off"
          error={errors.zips?.message}
          {...register("zips")}
        />
        <TextField
          label={t("partner.capacity")}
          type="number"
          inputMode="numeric"
          min={1}
          error={errors.capacity?.message}
          {...register("capacity")}
        />
        {withLanguage ? (
          <SelectField
            label={t("account.language")}
            error={errors.language?.message}
            {...register("language")}
          >
            <option value="en">English</option>
            <option value="es">Español</option>
          </SelectField>
        ) : null}
        {errors.root?.server ? <Alert tone="error">{errors.root.server.message}</Alert> : null}
        {saved ? <Alert tone="success">{t("app.saved")}</Alert> : null}
        <Button type="submit" disabled={isSubmitting}>
          {t("app.save")}
        </Button>
      </form>
    </Card>
  );
}
