"""The Aliyun medical data analysis platform, the OA trigger, and the OSS store it reads from."""
