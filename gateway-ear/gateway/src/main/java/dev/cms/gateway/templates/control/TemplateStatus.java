package dev.cms.gateway.templates.control;

/** Where a template's image is: being built, ready to use, or failed to build (with a reason). */
public enum TemplateStatus {
  BUILDING,
  READY,
  FAILED
}
