import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { getRouteApi, Link, notFound, useRouter, useSearch } from "@tanstack/react-router";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import {
  forgotPasswordPartner,
  forgotPasswordSeller,
  getPartnerMe,
  getSellerMe,
  resetPasswordPartner,
  resetPasswordSeller,
  signUpPartner,
  signUpSeller,
  startPartnerSession,
  startSellerSession,
  verifyPartner,
  verifySeller,
} from "../../client/sdk.gen";
import { Alert } from "../../components/ui/alert";
import { Button, buttonClass } from "../../components/ui/button";
import { SelectField, TextField } from "../../components/ui/field";
import { type Lang, type Translate, useI18n, useT } from "../../i18n";
import { call } from "../../lib/api";
import { applyApiError } from "../../lib/form";
import { isApiError } from "../../lib/problem";
import { isRole, type Role, setSession } from "../../lib/session";

function AuthShell({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="mx-auto max-w-md">
      <h1 className="mb-4 text-2xl font-bold">{title}</h1>
      <div className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">{children}</div>
    </div>
  );
}

function RootError({ message }: { message?: string }) {
  return message ? <Alert tone="error">{message}</Alert> : null;
}

export function parseZips(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((z) => z.trim())
    .filter(Boolean);
}

export const ZIP = /^[A-Za-z0-9]{3,10}$/;

// ---------------------------------------------------------------- login

function Login({ role }: { role: Role }) {
  const { t, setLang } = useI18n();
  const router = useRouter();
  const search = useSearch({ strict: false }) as { redirect?: string; expired?: boolean };
  const schema = z.object({
    email: z.email(t("validation.email")),
    password: z.string().min(1, t("validation.required")),
  });
  type Values = z.infer<typeof schema>;
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Values>({ resolver: zodResolver(schema) });

  const onSubmit = handleSubmit(async (values) => {
    const login = role === "seller" ? startSellerSession : startPartnerSession;
    try {
      const started = await call(
        login({ body: { username: values.email, password: values.password } }),
      );
      setSession({ role, csrf: started.csrf_token });
      try {
        const me = role === "seller" ? await call(getSellerMe()) : await call(getPartnerMe());
        setLang(me.language as Lang);
      } catch {
        // the language stays as it is
      }
      const target =
        search.redirect && search.redirect.startsWith(`/${role}`) ? search.redirect : `/${role}`;
      router.history.push(target);
    } catch (error) {
      if (isApiError(error, 401)) setError("root.server", { message: t("auth.login.failed") });
      else
        applyApiError(error, ["email", "password"], setError, t("app.error"), {
          username: "email",
        });
    }
  });

  return (
    <AuthShell title={t("auth.login.title", { role: t(`role.${role}`) })}>
      {search.expired ? (
        <Alert tone="info" className="mb-4">
          {t("auth.login.sessionExpired")}
        </Alert>
      ) : null}
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <TextField
          label={t("auth.email")}
          type="email"
          autoComplete="email"
          error={errors.email?.message}
          {...register("email")}
        />
        <TextField
          label={t("auth.password")}
          type="password"
          autoComplete="current-password"
          error={errors.password?.message}
          {...register("password")}
        />
        <RootError message={errors.root?.server?.message} />
        <Button type="submit" disabled={isSubmitting} className="w-full">
          {t("auth.login.submit")}
        </Button>
      </form>
      <div className="mt-4 space-y-2 text-sm">
        <p>
          <Link to={`/${role}/forgot-password`} className="text-blue-800 underline">
            {t("auth.login.forgot")}
          </Link>
        </p>
        <p>
          {t("auth.login.noAccount")}{" "}
          <Link to={`/${role}/signup`} className="text-blue-800 underline">
            {t("landing.signup")}
          </Link>
        </p>
      </div>
    </AuthShell>
  );
}

export const SellerLogin = () => <Login role="seller" />;
export const PartnerLogin = () => <Login role="partner" />;

// ---------------------------------------------------------------- signup

function signupSchema(t: Translate, role: Role) {
  const base = {
    name: z.string().trim().min(1, t("validation.required")).max(200),
    email: z.email(t("validation.email")),
    password: z.string().min(8, t("validation.password")).max(128),
    language: z.enum(["en", "es"]),
  };
  if (role === "seller")
    return z.object({ ...base, zips: z.string().optional(), capacity: z.string().optional() });
  return z.object({
    ...base,
    zips: z
      .string()
      .refine(
        (v) => parseZips(v).length > 0 && parseZips(v).every((zip) => ZIP.test(zip)),
        t("validation.zips"),
      ),
    capacity: z.string().refine((v) => /^\d+$/.test(v) && Number(v) > 0, t("validation.positive")),
  });
}

type SignupValues = {
  name: string;
  email: string;
  password: string;
  language: Lang;
  zips?: string;
  capacity?: string;
};

function Signup({ role }: { role: Role }) {
  const { t, lang } = useI18n();
  const [done, setDone] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<SignupValues>({
    resolver: zodResolver(signupSchema(t, role)) as never,
    defaultValues: { language: lang, zips: "", capacity: "10" },
  });

  const onSubmit = handleSubmit(async (values) => {
    const common = {
      name: values.name.trim(),
      email: values.email,
      password: values.password,
      language: values.language,
    };
    try {
      if (role === "seller") await call(signUpSeller({ body: common }));
      else
        await call(
          signUpPartner({
            body: {
              ...common,
              serviceable_zip_codes: parseZips(values.zips ?? ""),
              max_handling_capacity: Number(values.capacity),
            },
          }),
        );
      setDone(values.email);
    } catch (error) {
      applyApiError(
        error,
        ["name", "email", "password", "language", "zips", "capacity"],
        setError,
        t("app.error"),
        {
          serviceable_zip_codes: "zips",
          max_handling_capacity: "capacity",
        },
      );
    }
  });

  if (done) {
    return (
      <AuthShell title={t("auth.signup.title", { role: t(`role.${role}`) })}>
        <Alert tone="success">{t("auth.signup.done", { email: done })}</Alert>
      </AuthShell>
    );
  }
  return (
    <AuthShell title={t("auth.signup.title", { role: t(`role.${role}`) })}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <TextField
          label={t("auth.name")}
          autoComplete="name"
          error={errors.name?.message}
          {...register("name")}
        />
        <TextField
          label={t("auth.email")}
          type="email"
          autoComplete="email"
          error={errors.email?.message}
          {...register("email")}
        />
        <TextField
          label={t("auth.password")}
          type="password"
          autoComplete="new-password"
          hint={t("auth.passwordHint")}
          error={errors.password?.message}
          {...register("password")}
        />
        <SelectField
          label={t("app.language")}
          error={errors.language?.message}
          {...register("language")}
        >
          <option value="en">English</option>
          <option value="es">Español</option>
        </SelectField>
        {role === "partner" ? (
          <>
            <TextField
              label={t("auth.zips")}
              hint={t("auth.zipsHint")}
              autoComplete="off"
              error={errors.zips?.message}
              {...register("zips")}
            />
            <TextField
              label={t("auth.capacity")}
              type="number"
              inputMode="numeric"
              min={1}
              error={errors.capacity?.message}
              {...register("capacity")}
            />
          </>
        ) : null}
        <RootError message={errors.root?.server?.message} />
        <Button type="submit" disabled={isSubmitting} className="w-full">
          {t("auth.signup.submit")}
        </Button>
      </form>
      <p className="mt-4 text-sm">
        {t("auth.signup.haveAccount")}{" "}
        <Link to={`/${role}/login`} className="text-blue-800 underline">
          {t("landing.login")}
        </Link>
      </p>
    </AuthShell>
  );
}

export const SellerSignup = () => <Signup role="seller" />;
export const PartnerSignup = () => <Signup role="partner" />;

// ---------------------------------------------------------------- forgot

function Forgot({ role }: { role: Role }) {
  const t = useT();
  const [done, setDone] = useState(false);
  const schema = z.object({ email: z.email(t("validation.email")) });
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<{ email: string }>({ resolver: zodResolver(schema) });
  const onSubmit = handleSubmit(async ({ email }) => {
    try {
      await call(
        (role === "seller" ? forgotPasswordSeller : forgotPasswordPartner)({ body: { email } }),
      );
      setDone(true);
    } catch (error) {
      applyApiError(error, ["email"], setError, t("app.error"));
    }
  });
  return (
    <AuthShell title={t("auth.forgot.title")}>
      {done ? (
        <Alert tone="success">{t("auth.forgot.done")}</Alert>
      ) : (
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          <p className="text-slate-700">{t("auth.forgot.lead")}</p>
          <TextField
            label={t("auth.email")}
            type="email"
            autoComplete="email"
            error={errors.email?.message}
            {...register("email")}
          />
          <RootError message={errors.root?.server?.message} />
          <Button type="submit" disabled={isSubmitting} className="w-full">
            {t("auth.forgot.submit")}
          </Button>
        </form>
      )}
      <p className="mt-4 text-sm">
        <Link to={`/${role}/login`} className="text-blue-800 underline">
          {t("auth.goLogin")}
        </Link>
      </p>
    </AuthShell>
  );
}

export const SellerForgot = () => <Forgot role="seller" />;
export const PartnerForgot = () => <Forgot role="partner" />;

// ---------------------------------------------------------------- verify

const verifyApi = getRouteApi("/verify/$role");

export function VerifyPage() {
  const { role } = verifyApi.useParams();
  const { token } = verifyApi.useSearch();
  if (!isRole(role)) throw notFound();
  return <Verify role={role} token={token} />;
}

export function Verify({ role, token }: { role: Role; token?: string }) {
  const t = useT();
  const mutation = useMutation({
    mutationFn: (value: string) =>
      call((role === "seller" ? verifySeller : verifyPartner)({ body: { token: value } })),
  });
  const started = useRef(false);
  const { mutate } = mutation;
  useEffect(() => {
    if (token && !started.current) {
      started.current = true;
      mutate(token);
    }
  }, [token, mutate]);

  return (
    <AuthShell title={t("auth.verify.title")}>
      {!token ? (
        <Alert tone="error">{t("auth.verify.missing")}</Alert>
      ) : mutation.isSuccess ? (
        <div className="space-y-4">
          <Alert tone="success">{t("auth.verify.done")}</Alert>
          <Link to={`/${role}/login`} className={buttonClass("primary", "w-full")}>
            {t("auth.goLogin")}
          </Link>
        </div>
      ) : mutation.isError ? (
        <Alert tone="error">
          {isApiError(mutation.error, 400) || isApiError(mutation.error, 422)
            ? t("auth.verify.failed")
            : t("app.error")}
        </Alert>
      ) : (
        <p role="status">{t("auth.verify.working")}</p>
      )}
    </AuthShell>
  );
}

// ---------------------------------------------------------------- reset

const resetApi = getRouteApi("/reset-password/$role");

export function ResetPage() {
  const { role } = resetApi.useParams();
  const { token } = resetApi.useSearch();
  if (!isRole(role)) throw notFound();
  return <Reset role={role} token={token} />;
}

function Reset({ role, token }: { role: Role; token?: string }) {
  const t = useT();
  const [done, setDone] = useState(false);
  const schema = z.object({ password: z.string().min(8, t("validation.password")).max(128) });
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<{ password: string }>({ resolver: zodResolver(schema) });
  const onSubmit = handleSubmit(async ({ password }) => {
    if (!token) return;
    try {
      await call(
        (role === "seller" ? resetPasswordSeller : resetPasswordPartner)({
          body: { token, password },
        }),
      );
      setDone(true);
    } catch (error) {
      if (
        isApiError(error, 400) ||
        (isApiError(error, 422) &&
          !error.problem.errors?.some((e) => e.location.endsWith("password")))
      )
        setError("root.server", { message: t("auth.reset.failed") });
      else applyApiError(error, ["password"], setError, t("app.error"));
    }
  });
  return (
    <AuthShell title={t("auth.reset.title")}>
      {!token ? (
        <Alert tone="error">{t("auth.reset.failed")}</Alert>
      ) : done ? (
        <div className="space-y-4">
          <Alert tone="success">{t("auth.reset.done")}</Alert>
          <Link to={`/${role}/login`} className={buttonClass("primary", "w-full")}>
            {t("auth.goLogin")}
          </Link>
        </div>
      ) : (
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          <TextField
            label={t("auth.reset.password")}
            type="password"
            autoComplete="new-password"
            hint={t("auth.passwordHint")}
            error={errors.password?.message}
            {...register("password")}
          />
          <RootError message={errors.root?.server?.message} />
          <Button type="submit" disabled={isSubmitting} className="w-full">
            {t("auth.reset.submit")}
          </Button>
        </form>
      )}
    </AuthShell>
  );
}
