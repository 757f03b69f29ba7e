# The rescli image, built by goreleaser (goreleaser.yaml, dockers_v2) from
# the release's own binaries: buildx puts each platform's binary under
# $TARGETPLATFORM. No shell, no redis-server: herd in a pod always names its
# target (--redis-url or REDIS_URL).
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/rescli /usr/bin/rescli
USER 65532:65532
ENTRYPOINT ["/usr/bin/rescli"]
