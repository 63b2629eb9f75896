// agent/ui/app/css.d.ts: esbuild bundles imported stylesheets; this tells tsc they exist.
declare module '*.css'
