package dev.cms.gateway;

final class Placeholder {}
